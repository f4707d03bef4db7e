/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tools/firmware/switch.S - the cooperative context switch of sched.c.
 *
 * void fw_ctx_switch(void **save_sp, void *load_sp)
 *
 * A switch happens inside a function call, so only what the AAPCS makes
 * the callee preserve needs saving: r4-r11 and the return address, pushed
 * on the current stack whose pointer goes to *save_sp.  Then the other
 * stack is loaded and its frame popped, lr straight into pc.  No FPU on a
 * Cortex-M3, so no s16-s31.
 */
	.syntax unified
	.cpu	cortex-m3
	.thumb
	.text

	.global	fw_ctx_switch
	.type	fw_ctx_switch, %function
	.thumb_func
fw_ctx_switch:
	push	{r4-r11, lr}
	mov	r2, sp
	str	r2, [r0]
	mov	sp, r1
	pop	{r4-r11, pc}
	.size	fw_ctx_switch, . - fw_ctx_switch
