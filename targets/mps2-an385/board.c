// Start-up and HAL of the mps2-an385 firmware: what MicroPython's qemu port
// lacks for a networked board, without editing the port.
//
// - A vector table with the device interrupts (the port's has only the 16
//   system vectors), installed through VTOR before the port's main() runs
//   (`--wrap=main`).
// - Time: the LAN9118's 25 MHz free-running counter, extended to 64 bits, for
//   ticks_ms/us and usocket's frame port; SysTick at 1 kHz wakes WFI and keeps
//   the extension current.
// - stdin from a ring filled by the UART's receive interrupt, which also turns
//   Ctrl-C into KeyboardInterrupt while Python runs (`--wrap=mp_hal_stdin_rx_chr`:
//   the port's version busy-polls the UART and never runs the stack).
// - Waiting: every wait (the REPL's input, time.sleep, select/asyncio) runs the
//   network stack, then sleeps in WFI until the next interrupt.

#include <stdint.h>

#include "py/mphal.h"
#include "py/runtime.h"
#include "shared/runtime/interrupt_char.h"

#include "lan9118.h"
#include "net.h"

// Core peripherals.
#define SCB_VTOR (*(volatile uint32_t *)0xE000ED08)
#define SYST_CSR (*(volatile uint32_t *)0xE000E010)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018)
#define NVIC_ISER0 (*(volatile uint32_t *)0xE000E100)


// The core clock of the AN385 image (QEMU's mps2-an385 runs it at 25 MHz).
#define CORE_HZ 25000000u
#define TICK_CYCLES (CORE_HZ / 1000u)

// CMSDK APB UART0 (the REPL): receive interrupt is IRQ 0 on AN385.
typedef struct {
    volatile uint32_t DATA;
    volatile uint32_t STATE;
    volatile uint32_t CTRL;
    volatile uint32_t INTSTATUS;
    volatile uint32_t BAUDDIV;
} cmsdk_uart_t;
#define UART0 ((cmsdk_uart_t *)0x40004000)
#define UART_STATE_RXFULL (1u << 1)
#define UART_CTRL_RX_INT (1u << 3)
#define UART_INT_RX (1u << 1)
#define IRQ_UART0_RX 0

// The clock: the LAN9118's free-running counter (25 MHz).
#define FREE_RUN (*(volatile uint32_t *)0x4020009C)
#define FREE_RUN_PER_US 25u
// The clock as counted so far: whole microseconds, the counts not yet a whole
// one, and the counter at the last reading.
static uint64_t clock_us;
static uint32_t clock_counts_left, free_run_last;

// Microseconds spent asleep in WFI: the rest is work (under QEMU's
// `-icount shift=0` one emulated microsecond is 1000 instructions).
static uint64_t idle_us;

// Characters received and not yet read by stdin.
#define RX_RING 256
static volatile uint8_t rx_ring[RX_RING];
static volatile uint32_t rx_head, rx_tail;

static void mps2_systick_isr(void) {
    (void)mps2_now_us();
}

// Moves received characters into the ring (the interrupt, and stdin with
// interrupts masked). The interrupt is acknowledged before the UART is read, so
// that a character arriving meanwhile raises it again.
static void uart_drain(void) {
    UART0->INTSTATUS = UART_INT_RX;
    while (UART0->STATE & UART_STATE_RXFULL) {
        if (rx_head - rx_tail == RX_RING) {
            // Full: leave the character in the UART (QEMU holds the rest of the
            // input back) and stop interrupting until stdin makes room.
            UART0->CTRL &= ~UART_CTRL_RX_INT;
            return;
        }
        int c = UART0->DATA & 0xff;
        if (c == mp_interrupt_char) {
            mp_sched_keyboard_interrupt();
        } else {
            rx_ring[rx_head % RX_RING] = c;
            rx_head++;
        }
    }
}

static void mps2_uart0_rx_isr(void) {
    uart_drain();
}

static void unexpected_isr(void) {
    for (;;) {
    }
}

extern uint32_t _estack;
void Reset_Handler(void);
void NMI_Handler(void);
void HardFault_Handler(void);
void MemManage_Handler(void);
void BusFault_Handler(void);
void UsageFault_Handler(void);

// 16 system vectors and the AN385's 32 device interrupts; VTOR needs the table
// aligned to its size rounded up to a power of two (48 words -> 256 bytes).
#define DEVICE_IRQS 32
typedef void (*vector_t)(void);
__attribute__((aligned(256))) static const vector_t vectors[16 + DEVICE_IRQS] = {
    (vector_t)&_estack, Reset_Handler, NMI_Handler, HardFault_Handler,
    MemManage_Handler, BusFault_Handler, UsageFault_Handler, 0, 0, 0, 0,
    unexpected_isr, unexpected_isr, 0, unexpected_isr, mps2_systick_isr,
    [16 + IRQ_UART0_RX] = mps2_uart0_rx_isr,
    [16 + 1] = unexpected_isr,
    [16 + 2 ... 16 + LAN9118_IRQ - 1] = unexpected_isr,
    [16 + LAN9118_IRQ] = lan9118_isr,
    [16 + LAN9118_IRQ + 1 ... 16 + DEVICE_IRQS - 1] = unexpected_isr,
};

static void board_init(void) {
    lan9118_reset();
    SCB_VTOR = (uint32_t)vectors;
    SYST_RVR = TICK_CYCLES - 1;
    SYST_CVR = 0;
    SYST_CSR = 7; // core clock, interrupt, enable
    UART0->CTRL |= UART_CTRL_RX_INT;
    NVIC_ISER0 = 1u << IRQ_UART0_RX;
    mps2_net_start();
}

int __real_main(int argc, char **argv);

// The stack's unused part holds this pattern, so that its deepest use can be read later.
#define STACK_PAINT 0x5afe57acu
extern uint32_t _ebss;

static void paint_stack(void) {
    // Up to a little below this function's frame: the rest is in use.
    volatile uint32_t *limit = (volatile uint32_t *)((uintptr_t)__builtin_frame_address(0) - 256);
    for (volatile uint32_t *p = &_ebss; p < limit; p++) {
        *p = STACK_PAINT;
    }
}

// The port's soft-reset loop: `gc_sweep_all()` (socket finalisers close them), then
// `mp_deinit()`, wrapped here so that the stack delivers what they sent first.
void __real_mp_deinit(void);
void __wrap_mp_deinit(void);

void __wrap_mp_deinit(void) {
    mps2_net_soft_reset();
    __real_mp_deinit();
}

// The linker's --wrap=main calls it in place of the port's main().
int __wrap_main(int argc, char **argv);
int __wrap_main(int argc, char **argv) {
    paint_stack();
    board_init();
    return __real_main(argc, argv);
}

// The `mps2` module: measurements of the board for benchmarks.

// stack_peak(): the most stack used since boot, in bytes.
static mp_obj_t mps2_stack_peak(void) {
    const uint32_t *p = &_ebss;
    while (p < &_estack && *p == STACK_PAINT) {
        p++;
    }
    return mp_obj_new_int_from_uint((uintptr_t)&_estack - (uintptr_t)p);
}
static MP_DEFINE_CONST_FUN_OBJ_0(mps2_stack_peak_obj, mps2_stack_peak);

// busy_us(): microseconds since boot not spent asleep waiting for an interrupt.
static mp_obj_t mps2_busy_us(void) {
    return mp_obj_new_int_from_ull(mps2_now_us() - idle_us);
}
static MP_DEFINE_CONST_FUN_OBJ_0(mps2_busy_us_obj, mps2_busy_us);

static const mp_rom_map_elem_t mps2_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_mps2) },
    { MP_ROM_QSTR(MP_QSTR_stack_peak), MP_ROM_PTR(&mps2_stack_peak_obj) },
    { MP_ROM_QSTR(MP_QSTR_busy_us), MP_ROM_PTR(&mps2_busy_us_obj) },
};
static MP_DEFINE_CONST_DICT(mps2_globals, mps2_globals_table);

const mp_obj_module_t mps2_module = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&mps2_globals,
};
MP_REGISTER_MODULE(MP_QSTR_mps2, mps2_module);

uint64_t mps2_now_us(void) {
    // The LAN9118's 25 MHz FREE_RUN counter, accumulated in microseconds.
    // SysTick reads it every millisecond, far more often than it wraps (every
    // 171 s), so the counts since the last reading fit 32 bits and one 32-bit
    // division (UDIV) makes them microseconds: dividing a 64-bit count cost
    // some 100 instructions a reading, and the network stack reads the clock
    // several times per socket call. Masked, so that the tick and a caller
    // never advance it at once.
    uint32_t primask;
    __asm volatile ("mrs %0, primask\n cpsid i" : "=r" (primask) :: "memory");
    uint32_t now = FREE_RUN;
    uint32_t counts = (now - free_run_last) + clock_counts_left;
    free_run_last = now;
    uint32_t us = counts / FREE_RUN_PER_US;
    clock_counts_left = counts - us * FREE_RUN_PER_US;
    clock_us += us;
    uint64_t result = clock_us;
    __asm volatile ("msr primask, %0" :: "r" (primask) : "memory");
    return result;
}

mp_uint_t mp_hal_ticks_ms(void) {
    return (mp_uint_t)(mps2_now_us() / 1000u);
}

mp_uint_t mp_hal_ticks_us(void) {
    return (mp_uint_t)mps2_now_us();
}

mp_uint_t mp_hal_ticks_cpu(void) {
    return (mp_uint_t)(mps2_now_us() * (CORE_HZ / 1000000u));
}

void mps2_wfi(void) {
    uint64_t start = mps2_now_us();
    __asm volatile ("wfi");
    idle_us += mps2_now_us() - start;
}

void mps2_an385_sleep(void) {
    // Masked, so that an interrupt between the check and WFI still wakes it.
    __asm volatile ("cpsid i" ::: "memory");
    if (rx_head == rx_tail && !mps2_net_pending()) {
        mps2_wfi();
    }
    __asm volatile ("cpsie i" ::: "memory");
}

void mps2_an385_net_poll(void) {
    mps2_net_poll();
}

void mp_hal_delay_ms(mp_uint_t ms) {
    uint32_t start = mp_hal_ticks_ms();
    while (mp_hal_ticks_ms() - start < ms) {
        mp_event_wait_ms(ms - (mp_hal_ticks_ms() - start));
    }
}

void mp_hal_delay_us(mp_uint_t us) {
    uint32_t start = mp_hal_ticks_us();
    while (mp_hal_ticks_us() - start < us) {
    }
}

int __wrap_mp_hal_stdin_rx_chr(void);
int __wrap_mp_hal_stdin_rx_chr(void) {
    for (;;) {
        if (rx_head != rx_tail) {
            int c = rx_ring[rx_tail % RX_RING];
            rx_tail++;
            __asm volatile ("cpsid i" ::: "memory");
            UART0->CTRL |= UART_CTRL_RX_INT;
            uart_drain();
            __asm volatile ("cpsie i" ::: "memory");
            return c;
        }
        // Not mp_event_wait_*: the REPL's line editor has no handler for a
        // pending exception raised here, so only the stack runs.
        mps2_net_poll();
        mps2_an385_sleep();
    }
}
