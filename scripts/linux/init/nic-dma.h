/* The physical page Lockstep's Linux /init gives the NIC for DMA (its receive and transmit buffers): the last page
 * below the kernel's image at 0x80400000. The firmware names it (__lockstep_dma in firmware/sbi.S), so the machine
 * reserves it from the kernel in the device tree (no-map) and the kernel neither allocates nor maps it; /init maps it
 * through /dev/mem. Assembly includes this file too: #defines only. */
#define NIC_DMA_BASE 0x803ff000
#define NIC_DMA_BYTES 0x1000
