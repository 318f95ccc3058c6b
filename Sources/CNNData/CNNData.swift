// CNNData
