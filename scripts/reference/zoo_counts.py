#!/usr/bin/env python3
"""Parameter and multiply-add counts of the zoo's models as PyTorch/torchvision define them.

  ~/torchenv/bin/python scripts/reference/zoo_counts.py > Tests/CNNModelsTests/Fixtures/zoo_counts.json

Uses models.py (a copy of the PyTorch reference kit's model builders): torchvision's own
definitions for alexnet, vgg*, resnet18/34/50, and He et al.'s CIFAR ResNets / plain nets,
LeNet-5 and VGG-11-BN for 32x32 as the reference kit defines them. The Swift tests compare
ModelSummary's totals with these numbers, so no count is copied from memory.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import models  # noqa: E402

NAMES = ["lenet5", "alexnet", "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn",
         "resnet18", "resnet34", "resnet50", "resnet20", "resnet32", "resnet44", "resnet56", "resnet110",
         "plain20", "plain32", "plain44", "plain56", "plain110", "vgg11_bn_cifar"]

out = {}
for name in NAMES:
    m = models.build(name)
    shape = models.default_input(name)
    out[name] = {"input": list(shape), "parameters": models.count_params(m), "macs": models.count_macs(m, shape)}
json.dump(out, sys.stdout, indent=1, sort_keys=True)
print()
