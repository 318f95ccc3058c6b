#!/usr/bin/env bash
# Regenerates Sources/ONNXProto/onnx.pb.swift from Sources/ONNXProto/onnx.proto. Run by hand, only
# when onnx.proto is updated: the generated file is committed, so neither builds nor CI need protoc.
#
# Needs protoc (Debian: protobuf-compiler) and swift-protobuf's plugin, built outside the repository
# from the same swift-protobuf version the package resolves (1.39.0 when this was last run):
#   git clone --branch 1.39.0 https://github.com/apple/swift-protobuf /tmp/swift-protobuf
#   (cd /tmp/swift-protobuf && swift build -c release --product protoc-gen-swift)
# onnx.proto comes from the onnx Python package (onnx 1.23.2 when this was last run):
#   python -c "import onnx, os; print(os.path.dirname(onnx.__file__))"   # holds onnx.proto
set -euo pipefail
cd "$(dirname "$0")/.."
plugin="${PROTOC_GEN_SWIFT:-/tmp/swift-protobuf/.build/release/protoc-gen-swift}"
out="$(mktemp -d)"
mkdir -p "$out/src/onnx"
cp Sources/ONNXProto/onnx.proto "$out/src/onnx/onnx.proto"
protoc --plugin=protoc-gen-swift="$plugin" --swift_opt=Visibility=Public \
    --proto_path="$out/src" --swift_out="$out" "$out/src/onnx/onnx.proto"
cp "$out/onnx/onnx.pb.swift" Sources/ONNXProto/onnx.pb.swift
rm -rf "$out"
echo "wrote Sources/ONNXProto/onnx.pb.swift"
