import CNNStore
import Foundation
import Testing
import _TestSupport

extension CLITests {
    /// The committed model file of today's format (Tests/CNNStoreTests/Fixtures/model-format-N, written by
    /// `cnnbench train`) goes on training where it stopped: optimizer state, recipe and iterator position read back.
    /// Slow (an epoch and 10,000 test digits in a debug build): run with CNNBENCH_SLOW_TESTS=1.
    @Test("a committed model file of today's format resumes for one more epoch",
          .enabled(if: ProcessInfo.processInfo.environment["CNNBENCH_SLOW_TESTS"] == "1", "slow: set CNNBENCH_SLOW_TESTS=1"))
    func committedModelFileResumes() throws {
        let committed = repositoryRoot().appendingPathComponent("Tests/CNNStoreTests/Fixtures/model-format-\(ModelFile.version)/model.h5")
        let folder = try temporaryFolder("CLITests-resume")
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = folder.appendingPathComponent("model.h5")
        try FileManager.default.copyItem(at: committed, to: model)

        let result = try run("cnnbench", ["train", "lenet5", "--resume", "--epochs", "3", "--out", folder.path])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("resuming \(model.path) at epoch 3 of 3"), "\(result.output)")

        let before = try ModelFile.read(from: committed), after = try ModelFile.read(from: model)
        #expect(after.history["epoch"] == [1, 2, 3])
        for column in ["train_loss", "val_error", "test_error"] {
            #expect(after.history[column].map { Array($0.prefix(2)) } == before.history[column], "\(column)")
        }
        #expect(after.training?.epochsCompleted == 3)
        // 1,000 training digits in batches of 64: 16 steps an epoch, 32 before the resume.
        #expect(before.optimizer?.stepCount == 32 && after.optimizer?.stepCount == 48)
        let moved = zip(before.weights, after.weights).contains { $0.tensor.values != $1.tensor.values }
        #expect(moved, "the third epoch did not change the weights")
    }
}
