// CNNFigures
