// What a model file says of its training beyond weights: the recipe (CNNBench's JSON, read here without that
// level's types) and the data it was trained on.

import CNNStore
import Foundation

extension ModelFileContents {
    /// The training recipe as JSON values (`epochs`, `downsample`, `trainLimit`, `augment`, ...), or nil when the file holds none.
    public var recipeValues: [String: Any]? {
        guard let json = training?.recipeJSON else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any]
    }

    /// The factor the recipe shrank the images by (`downsample`), or nil for full size.
    public var downsampleFactor: Int? {
        guard let factor = recipeValues?["downsample"] as? Int, factor > 1 else { return nil }
        return factor
    }

    /// The data the model was trained on: the `data_source` metadata `cnnbench train` writes, else the name in the
    /// data-set record (an ONNX file's, an older file's); nil when the file says neither (a Keras file, an exported zoo model).
    public var trainedOn: DataSource? {
        if let json = metadata[DataSource.metadataKey], let source = try? JSONDecoder().decode(DataSource.self, from: Data(json.utf8)) {
            return source
        }
        // The record holds the training images' name ("MNIST train", "shapes train").
        guard let name = dataset?.name, !name.isEmpty else { return nil }
        return DataSource(name: DatasetName.withoutSplit(name))
    }
}
