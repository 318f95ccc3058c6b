// CNNPlot
