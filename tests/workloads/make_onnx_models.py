#!/usr/bin/python3
"""Builds the small pruned ONNX models that tests/workloads/test_onnx_import.cpp imports.

Usage: make_onnx_models.py OUT_DIR. For every weight it also writes NODE.expected.bits: the non-zero
pattern in sparsim's weight layout ([Cout, Cin/g, KH, KW] or [Cout, Cin]), packed little-endian, made
here independently of the importer so that the test catches layout (transpose) mistakes. Intermediate
shapes are left out of the graphs on purpose: the importer must get them from shape inference.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(1234)
out = sys.argv[1]


def nm_prune(w, n, m, axis):
    """Keeps the n largest |w| in every group of m consecutive elements along axis."""
    w = np.moveaxis(w.copy(), axis, -1)
    g = w.reshape(-1, m)
    order = np.argsort(-np.abs(g), axis=1, kind="stable")
    drop = order[:, n:]
    np.put_along_axis(g, drop, 0.0, axis=1)
    return np.moveaxis(g.reshape(w.shape), -1, axis)


def random_prune(w, density):
    keep = rng.random(w.shape) < density
    return np.where(keep, w, 0.0).astype(np.float32)


def expected(name, canonical):
    bits = np.packbits((canonical != 0).reshape(-1), bitorder="little").tobytes()
    with open(os.path.join(out, name + ".expected.bits"), "wb") as f:
        f.write(bits)


def save(graph, name):
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out, name))


def cnn():
    w1 = nm_prune(rng.standard_normal((32, 16, 3, 3)).astype(np.float32), 2, 4, 1)  # 2:4 along Cin
    w2 = random_prune(rng.standard_normal((32, 16, 3, 3)).astype(np.float32), 0.3)  # groups = 2
    w3 = nm_prune(rng.standard_normal((10, 512)).astype(np.float32), 1, 4, 1)  # Gemm B [N, K], transB = 1
    expected("conv1", w1)
    expected("conv2", w2)
    expected("fc", w3)
    nodes = [
        helper.make_node("Conv", ["x", "w1"], ["c1"], name="conv1", pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
        helper.make_node("Conv", ["r1", "w2"], ["c2"], name="conv2", pads=[1, 1, 1, 1], strides=[2, 2], group=2),
        helper.make_node("Relu", ["c2"], ["r2"], name="relu2"),
        helper.make_node("Flatten", ["r2"], ["f"], name="flatten"),
        helper.make_node("Gemm", ["f", "w3"], ["y"], name="fc", transB=1),
    ]
    graph = helper.make_graph(
        nodes, "tiny_cnn", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 16, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 10])],
        [numpy_helper.from_array(w1, "w1"), numpy_helper.from_array(w2, "w2"), numpy_helper.from_array(w3, "w3")])
    save(graph, "cnn.onnx")


def attention():
    wq = nm_prune(rng.standard_normal((16, 24)).astype(np.float32), 2, 8, 0)  # MatMul B [K, N]: 2:8 along K
    wo = rng.standard_normal((24, 12)).astype(np.float32)  # dense
    expected("q_proj", wq.T)
    nodes = [
        helper.make_node("MatMul", ["x", "wq"], ["q"], name="q_proj"),
        helper.make_node("Reshape", ["q", "heads_shape"], ["qh"], name="split_heads"),
        helper.make_node("Transpose", ["qh"], ["qt"], name="to_heads", perm=[0, 2, 1, 3]),
        helper.make_node("Transpose", ["qh"], ["kt"], name="to_keys", perm=[0, 2, 3, 1]),
        helper.make_node("MatMul", ["qt", "kt"], ["s"], name="scores"),
        helper.make_node("MatMul", ["q", "wo"], ["y"], name="out_proj"),
    ]
    graph = helper.make_graph(
        nodes, "tiny_attention", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 6, 16])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 6, 12]),
         helper.make_tensor_value_info("s", TensorProto.FLOAT, [1, 2, 6, 6])],
        [numpy_helper.from_array(wq, "wq"), numpy_helper.from_array(wo, "wo"),
         numpy_helper.from_array(np.array([1, 6, 2, 12], dtype=np.int64), "heads_shape")])
    save(graph, "attention.onnx")


def dilated():
    w = rng.standard_normal((4, 4, 3, 3)).astype(np.float32)
    nodes = [helper.make_node("Conv", ["x", "w"], ["y"], name="dilated_conv", dilations=[2, 2])]
    graph = helper.make_graph(
        nodes, "dilated", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 9, 9])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, 5, 5])], [numpy_helper.from_array(w, "w")])
    save(graph, "dilated.onnx")


os.makedirs(out, exist_ok=True)
cnn()
attention()
dilated()
with open(os.path.join(out, "corrupt.onnx"), "wb") as f:
    f.write(b"\x08\x07\x12\xffnot a protobuf")
