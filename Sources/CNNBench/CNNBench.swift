// CNNBench
