"""Trial configuration, randomisation sequences, allocations and the allocation log."""
