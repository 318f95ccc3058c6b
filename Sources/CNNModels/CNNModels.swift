// CNNModels
