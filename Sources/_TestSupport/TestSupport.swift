import CNNEngine
