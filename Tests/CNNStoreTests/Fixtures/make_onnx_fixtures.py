"""Writes the ONNX fixtures of Tests/CNNStoreTests/ONNXImportTests.swift with PyTorch's own exporter.

    ~/torchenv/bin/python Tests/CNNStoreTests/Fixtures/make_onnx_fixtures.py

Models have random weights (a fixed seed; nothing is downloaded) and random batch-norm statistics.
torchvision's AlexNet, VGG-11-BN and ResNet-18 keep torchvision's modules, forward passes and names,
with narrower layers so that the files stay small (the full ones are 45 to 530 MB); the exporter
sees the same graph structure. Written into onnx/ beside this script:

    sequential_cnn.onnx  a user-written nn.Sequential: Conv, BatchNorm (folded into the Conv by the
                         exporter), ReLU, MaxPool, Tanh, AvgPool, Flatten, Linear, Sigmoid, Dropout
    pooling_cnn.onnx     padded pooling: max with ceil mode, average with and without the padding
                         counted; a final Softmax (expected.h5 holds the logits before it)
    module_cnn.onnx      a user-written nn.Module: F.relu, x.view(x.size(0), -1), LeakyReLU,
                         BatchNorm1d (kept as BatchNormalization)
    alexnet_narrow.onnx  torchvision AlexNet (224x224 input, so its adaptive pooling is 6x6 -> 6x6)
    vgg11_bn_narrow.onnx torchvision VGG with batch norm (VGG-11's layers less the last pooling; 112x112 input)
    resnet18_narrow.onnx torchvision ResNet-18 (32x32 input), projection shortcuts
    unsupported.onnx     a Conv, then nn.Upsample (Resize), which the engine does not have
    lrn.onnx             nn.LocalResponseNorm, which this exporter writes as Mul, Pad, AveragePool,
                         Pow and Div nodes rather than one LRN (so it is not rebuilt either)
    resnet18_narrow_dynamo.onnx, module_cnn_dynamo.onnx (and their .onnx.data): the same models
                         written by the newer exporter (`dynamo=True`, needs onnxscript), which keeps
                         the weights in a data file beside the graph and averages with ReduceMean
    expected.h5          per model: input, output (PyTorch's, float32)

Exported as `torch.onnx.export(model, x, f, dynamo=False, do_constant_folding=True)` in eval mode,
with a dynamic batch axis, as a course's notebook would; the *_dynamo files with the default
exporter of PyTorch 2.9 and later.
"""
import os

import h5py
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from torchvision.models.resnet import BasicBlock, ResNet
from torchvision.models.vgg import VGG, make_layers

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "onnx")


def randomize_batch_norm(model):
    g = torch.Generator().manual_seed(7)
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            n = m.num_features
            m.weight.data = 0.5 + torch.rand(n, generator=g)
            m.bias.data = 0.4 * torch.rand(n, generator=g) - 0.2
            m.running_mean.data = 0.4 * torch.rand(n, generator=g) - 0.2
            m.running_var.data = 0.5 + torch.rand(n, generator=g)
    return model


def sequential_cnn():
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(4, 6, 3), nn.Tanh(), nn.AvgPool2d(2),
        nn.Flatten(), nn.Linear(6 * 6 * 6, 16), nn.Sigmoid(), nn.Dropout(0.3), nn.Linear(16, 10))


def pooling_cnn():
    return nn.Sequential(
        nn.Conv2d(2, 3, 3), nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True),
        nn.AvgPool2d(3, stride=2, padding=1), nn.AvgPool2d(2, padding=1, count_include_pad=False),
        nn.Flatten(), nn.Linear(3 * 3 * 3, 4), nn.Softmax(dim=1))


class ModuleCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5, stride=1, padding=2)
        self.conv2 = nn.Conv2d(6, 8, 3, stride=2, padding=1, bias=False)
        self.fc1 = nn.Linear(8 * 4 * 4, 12)
        self.bn = nn.BatchNorm1d(12)
        self.fc2 = nn.Linear(12, 5)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.leaky_relu(self.conv2(x), 0.1)
        x = x.view(x.size(0), -1)
        return self.fc2(F.relu(self.bn(self.fc1(x))))


def alexnet_narrow():
    m = torchvision.models.alexnet(weights=None, num_classes=10)
    f = m.features
    f[0] = nn.Conv2d(3, 8, kernel_size=11, stride=4, padding=2)
    f[3] = nn.Conv2d(8, 16, kernel_size=5, padding=2)
    f[6] = nn.Conv2d(16, 24, kernel_size=3, padding=1)
    f[8] = nn.Conv2d(24, 16, kernel_size=3, padding=1)
    f[10] = nn.Conv2d(16, 16, kernel_size=3, padding=1)
    m.classifier[1] = nn.Linear(16 * 6 * 6, 32)
    m.classifier[4] = nn.Linear(32, 32)
    m.classifier[6] = nn.Linear(32, 10)
    return m


def vgg11_bn_narrow():
    # Four poolings instead of five, so that a 112x112 input reaches the classifier as 7x7, as 224x224 does in VGG-11.
    m = VGG(make_layers([8, "M", 16, "M", 16, 16, "M", 32, 32, "M", 32, 32], batch_norm=True), num_classes=10)
    m.classifier[0] = nn.Linear(32 * 7 * 7, 16)
    m.classifier[3] = nn.Linear(16, 16)
    m.classifier[6] = nn.Linear(16, 10)
    return m


class NarrowResNet18(ResNet):
    """torchvision's ResNet-18 (its modules and forward) with widths 8, 16, 24, 32."""

    def __init__(self):
        super().__init__(BasicBlock, [2, 2, 2, 2], num_classes=10)
        self.inplanes = 8
        self.conv1 = nn.Conv2d(3, 8, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.layer1 = self._make_layer(BasicBlock, 8, 2)
        self.layer2 = self._make_layer(BasicBlock, 16, 2, stride=2)
        self.layer3 = self._make_layer(BasicBlock, 24, 2, stride=2)
        self.layer4 = self._make_layer(BasicBlock, 32, 2, stride=2)
        self.fc = nn.Linear(32, 10)


class Unsupported(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 3, 3)
        self.up = nn.Upsample(scale_factor=2, mode="nearest")
        self.fc = nn.Linear(3 * 12 * 12, 4)

    def forward(self, x):
        return self.fc(torch.flatten(self.up(F.relu(self.conv1(x))), 1))


def export(name, model, x, expected):
    model = randomize_batch_norm(model).eval()
    with torch.no_grad():
        # A final softmax is left out by CNNBench, whose outputs are logits: compare with the logits.
        y = model[:-1](x) if isinstance(model, nn.Sequential) and isinstance(model[-1], nn.Softmax) else model(x)
    path = os.path.join(OUT, name + ".onnx")
    torch.onnx.export(model, (x,), path, dynamo=False, do_constant_folding=True,
                      input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "N"}, "output": {0: "N"}})
    group = expected.create_group(name)
    group.create_dataset("input", data=x.numpy().astype(np.float32))
    group.create_dataset("output", data=y.numpy().astype(np.float32))
    print(f"{path}: {os.path.getsize(path)} bytes, output {tuple(y.shape)}")


def export_dynamo(name, model, x, expected):
    """The newer exporter (torch.onnx.export's default since PyTorch 2.9; needs onnxscript): weights in NAME.onnx.data."""
    model = randomize_batch_norm(model).eval()
    with torch.no_grad():
        y = model(x)
    path = os.path.join(OUT, name + ".onnx")
    torch.onnx.export(model, (x,), path, dynamo=True, external_data=True)
    group = expected.create_group(name)
    group.create_dataset("input", data=x.numpy().astype(np.float32))
    group.create_dataset("output", data=y.numpy().astype(np.float32))
    print(f"{path}: {os.path.getsize(path)} bytes + {os.path.getsize(path + '.data')} bytes of data, output {tuple(y.shape)}")


def main():
    torch.manual_seed(0)
    os.makedirs(OUT, exist_ok=True)
    with h5py.File(os.path.join(OUT, "expected.h5"), "w") as expected:
        export("sequential_cnn", sequential_cnn(), torch.randn(3, 1, 28, 28), expected)
        export("module_cnn", ModuleCNN(), torch.randn(2, 3, 16, 16), expected)
        export("alexnet_narrow", alexnet_narrow(), torch.randn(1, 3, 224, 224), expected)
        export("vgg11_bn_narrow", vgg11_bn_narrow(), torch.randn(1, 3, 112, 112), expected)
        export("resnet18_narrow", NarrowResNet18(), torch.randn(2, 3, 32, 32), expected)
        export("unsupported", Unsupported(), torch.randn(1, 1, 8, 8), expected)
        export("lrn", nn.Sequential(nn.Conv2d(1, 4, 3), nn.LocalResponseNorm(3)), torch.randn(1, 1, 6, 6), expected)
        torch.manual_seed(1)
        export_dynamo("resnet18_narrow_dynamo", NarrowResNet18(), torch.randn(2, 3, 32, 32), expected)
        export_dynamo("module_cnn_dynamo", ModuleCNN(), torch.randn(2, 3, 16, 16), expected)
        export("pooling_cnn", pooling_cnn(), torch.randn(2, 2, 20, 20), expected)


if __name__ == "__main__":
    main()
