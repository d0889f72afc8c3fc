/* SPDX-License-Identifier: MIT */
/*
 * The real-mode part that makes the test guest a bzImage (x86 Linux boot
 * protocol 2.06), for HVM domains: qemu-xen's direct kernel boot loads this
 * block at a real-mode segment, the guest's own code (the payload) at 1 MiB
 * and the command line wherever it likes, then jumps here.  This code enters
 * 32-bit protected mode with flat segments and jumps to code32_start with
 * %eax = "HdrS" and %ebx = this block's linear address, the boot_params that
 * hold cmd_line_ptr.  (Multiboot and PVH boot need QEMU's fw_cfg DMA, which
 * qemu-xen's direct kernel boot does not provide.)
 *
 * Offsets are fixed by the protocol; the whole block is 2 sectors.
 */
#define SETUP_SECTS 1
#define PAYLOAD     0x100000

	.code16
	.section .text, "ax"
	.globl _start
_start:
	.org 0x1F1
	.byte SETUP_SECTS               /* setup_sects */
	.word 0                         /* root_flags */
	.long 0                         /* syssize: unused, loaders take the file size */
	.word 0                         /* ram_size */
	.word 0xFFFF                    /* vid_mode: normal */
	.word 0                         /* root_dev */
	.word 0xAA55                    /* boot_flag */
	/* 0x200: where the loader jumps, %cs = %ds + 0x20 */
	.byte 0xEB, setup_start - 1f    /* jmp setup_start */
1:	.ascii "HdrS"                   /* 0x202 */
	.word 0x0206                    /* version */
	.long 0                         /* realmode_swtch */
	.word 0x1000                    /* start_sys_seg */
	.word 0                         /* kernel_version */
	.byte 0                         /* type_of_loader: the loader's */
	.byte 0x01                      /* loadflags: LOADED_HIGH */
	.word 0                         /* setup_move_size */
	.long PAYLOAD                   /* code32_start */
	.long 0, 0                      /* ramdisk_image, ramdisk_size */
	.long 0                         /* bootsect_kludge */
	.word 0                         /* heap_end_ptr */
	.byte 0, 0                      /* ext_loader_ver, ext_loader_type */
	.long 0                         /* 0x228 cmd_line_ptr: the loader's */
	.long 0x7FFFFFFF                /* initrd_addr_max */
	.long 0x1000                    /* kernel_alignment */
	.byte 0, 0                      /* relocatable_kernel, min_alignment */
	.word 0                         /* xloadflags */
	.long 255                       /* cmdline_size */

setup_start:
	cli
	cld
	/* %ds is this block's segment: its linear address is the boot_params. */
	movw %ds, %ax
	movzwl %ax, %ebx
	shll $4, %ebx
	/* The GDT and the far jump need linear addresses: patch them in. */
	leal gdt(%ebx), %eax
	movl %eax, gdt_base
	leal pm32(%ebx), %eax
	movl %eax, pm32_ptr
	lgdtl gdt_desc
	movl %cr0, %eax
	orb $1, %al
	movl %eax, %cr0
	ljmpl *pm32_ptr

	.code32
pm32:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw %ax, %fs
	movw %ax, %gs
	movl 0x214(%ebx), %ecx          /* code32_start */
	movl $0x53726448, %eax          /* "HdrS": %ebx is boot_params */
	jmp *%ecx

	.balign 8
gdt:
	.quad 0
	.quad 0x00CF9A000000FFFF        /* 0x08: flat 32-bit code */
	.quad 0x00CF92000000FFFF        /* 0x10: flat data */
gdt_desc:
	.word gdt_desc - gdt - 1
gdt_base:
	.long 0
pm32_ptr:
	.long 0
	.word 0x08

	.org (SETUP_SECTS + 1) * 512
