/* SPDX-License-Identifier: MIT */
/* PCI configuration-space offsets and bits (PCI local bus specification). */
#ifndef HSW_PCI_REGS_H
#define HSW_PCI_REGS_H

#define PCI_VENDOR_ID           0x00u
#define PCI_COMMAND             0x04u
#define PCI_STATUS              0x06u
#define PCI_REVISION            0x08u
#define PCI_HEADER_TYPE         0x0Eu
#define PCI_BAR(i)              (0x10u + 4u * (i))
#define PCI_SUBSYS_VENDOR       0x2Cu
#define PCI_CAP_PTR             0x34u
#define PCI_INT_LINE            0x3Cu
#define PCI_INT_PIN             0x3Du
#define PCI_CMD_IO              (1u << 0)
#define PCI_CMD_MEM             (1u << 1)
#define PCI_CMD_MASTER          (1u << 2)
#define PCI_CMD_INTX_DISABLE    (1u << 10)
#define PCI_STATUS_CAP_LIST     (1u << 4)
#define PCI_BAR_IO              0x1u
#define PCI_BAR_MEM64           0x4u
#define PCI_BAR_PREFETCH        0x8u
#define PCI_EXT_CFG_SIZE        4096u

/* Capabilities of the Haswell IGD at the offsets it has them. */
#define MSI_CTRL                (HSW_PCI_MSI_CAP + 2u)
#define MSI_ADDR                (HSW_PCI_MSI_CAP + 4u)
#define MSI_DATA                (HSW_PCI_MSI_CAP + 8u)
#define PM_CSR                  (HSW_PCI_PM_CAP + 4u)
#define AF_CTRL                 (HSW_PCI_AF_CAP + 4u)
#define AF_CTRL_FLR             (1u << 0)

/*
 * The bits software may change in each byte of the IGD's config space
 * (outside the BARs, which follow the sizing protocol): the command
 * register's decode, bus-master and INTx-disable bits, the interrupt line,
 * MSI enable (one message), address and data, the power state, and FLR.
 */
static inline unsigned char hsw_pci_cfg_wmask(unsigned int off)
{
	switch (off) {
	case PCI_COMMAND:       return (unsigned char)(PCI_CMD_IO | PCI_CMD_MEM | PCI_CMD_MASTER);
	case PCI_COMMAND + 1:   return (unsigned char)(PCI_CMD_INTX_DISABLE >> 8);
	case PCI_INT_LINE:      return 0xFF;
	case MSI_CTRL:          return 0x01;
	case MSI_ADDR:          return 0xFC;
	case MSI_ADDR + 1: case MSI_ADDR + 2: case MSI_ADDR + 3:
	case MSI_DATA: case MSI_DATA + 1:
		return 0xFF;
	case PM_CSR:            return 0x03;
	case AF_CTRL:           return AF_CTRL_FLR;
	default:                return 0;
	}
}

#endif /* HSW_PCI_REGS_H */
