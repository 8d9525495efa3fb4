// The HAL the core and the socket module need: nothing beyond the defaults.
