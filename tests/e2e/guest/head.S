/* SPDX-License-Identifier: MIT */
/*
 * The test guest's entry, the first byte of its image (1 MiB).  Xen's PVH
 * boot (a PVH domain) and setup.S (a bzImage, for an HVM domain booted by
 * its device model) both start it in 32-bit protected mode, paging off,
 * %ebx pointing at their boot information; setup.S also puts "HdrS" in
 * %eax.  It clears its .bss (in an HVM domain, hvmloader ran where it
 * lives), identity-maps the first 4 GiB with 2 MiB pages (RAM and the
 * vGPU's BARs alike), enters long mode and calls guest_main(magic, info).
 * Interrupt stubs for the MSI and the local APIC timer live here too.
 */
#define XEN_ELFNOTE_PHYS32_ENTRY 18

	.section .note.Xen, "a", @note
	.balign 4
	.long 4, 4, XEN_ELFNOTE_PHYS32_ENTRY
	.asciz "Xen"
	.balign 4
	.long pvh_start32
	.balign 4

	.section .text.head, "ax"
	.code32
	.globl pvh_start32
pvh_start32:
	cli
	cld
	movl %eax, %ebp                 /* setup.S's magic, or whatever PVH left */
	movl %ebx, %esi
	movl $__bss_start, %edi
	movl $__bss_end, %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	rep stosb
	movl $boot_stack_top, %esp

	/* PML4[0] -> PDPT, PDPT[0..3] -> four page directories of 2 MiB pages. */
	movl $pdpt, %eax
	orl $3, %eax
	movl %eax, pml4
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $12, %eax
	addl $pd, %eax
	orl $3, %eax
	movl %eax, pdpt(,%ecx,8)
	incl %ecx
	cmpl $4, %ecx
	jb 1b
	xorl %ecx, %ecx
2:	movl %ecx, %eax
	shll $21, %eax
	orl $0x83, %eax                 /* present, writable, 2 MiB */
	cmpl $1536, %ecx                /* 3 GiB and up: MMIO, not cached */
	jb 3f
	orl $0x18, %eax                 /* PCD | PWT */
3:	movl %eax, pd(,%ecx,8)
	incl %ecx
	cmpl $2048, %ecx
	jb 2b

	movl %cr4, %eax
	orl $0x20, %eax                 /* PAE */
	movl %eax, %cr4
	movl $pml4, %eax
	movl %eax, %cr3
	movl $0xC0000080, %ecx          /* EFER.LME */
	rdmsr
	orl $0x100, %eax
	wrmsr
	movl %cr0, %eax
	orl $0x80000001, %eax           /* PG | PE */
	movl %eax, %cr0
	lgdt gdt_ptr
	ljmp $0x08, $start64

	.code64
start64:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw %ax, %fs
	movw %ax, %gs
	movq $boot_stack_top, %rsp
	movl %ebp, %edi
	movl %esi, %esi
	call guest_main
4:	cli
	hlt
	jmp 4b

/* Caller-saved registers around a C handler; the C code has no red zone. */
.macro IRQ_STUB name, handler
	.globl \name
\name:
	pushq %rax
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	cld
	call \handler
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rax
	iretq
.endm

	IRQ_STUB isr_msi, guest_msi
	IRQ_STUB isr_timer, guest_timer
	IRQ_STUB isr_spurious, guest_spurious

	/* Any exception: report it and stop (the frame is not returned to). */
	.globl isr_fault
isr_fault:
	movq (%rsp), %rdi
	call guest_fault
5:	cli
	hlt
	jmp 5b

	.section .rodata
	.balign 8
gdt:
	.quad 0
	.quad 0x00AF9A000000FFFF        /* 0x08: 64-bit code */
	.quad 0x00CF92000000FFFF        /* 0x10: data */
gdt_ptr:
	.word gdt_ptr - gdt - 1
	.quad gdt

	.section .bss
	.balign 4096
pml4:	.skip 4096
pdpt:	.skip 4096
pd:	.skip 4 * 4096
	.balign 16
	.skip 65536
boot_stack_top:
