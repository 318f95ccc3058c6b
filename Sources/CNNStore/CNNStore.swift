// CNNStore
