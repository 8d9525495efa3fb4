// empty: NO_SYS, as MicroPython's stm32 and rp2 ports.
