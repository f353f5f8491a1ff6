#!/usr/bin/python3
"""Reads an ONNX model for `sparsim workloads import-onnx` (workloads/onnx_import.cpp runs it).

Extracts every Conv, Gemm and MatMul node with shapes from ONNX shape inference, and each weight
initializer's zero pattern in sparsim's weight layout ([Cout, Cin/groups, KH, KW] or [Cout, Cin]) as a
little-endian bitmap (bit i of the row-major tensor = byte i/8, bit i%8; 1 = non-zero). Writes
OUT_DIR/layers.json and OUT_DIR/<index>.bits; the C++ side detects N:M patterns, writes the mask files and
the network YAML. Errors: one line "node NAME: message" on stderr, exit status 2.

Usage: onnx_import.py MODEL.onnx OUT_DIR
"""
import json
import os
import sys
import warnings


def fail(where, message):
    sys.stderr.write(f"{where}: {message}\n")
    sys.exit(2)


try:
    import numpy as np
    import onnx
    from onnx import numpy_helper, shape_inference
except ImportError as e:  # pragma: no cover - depends on the machine
    fail("python", f"{e}; install Debian's python3-onnx and python3-numpy for /usr/bin/python3")


def attribute(node, name, default):
    for a in node.attribute:
        if a.name == name:
            try:
                value = onnx.helper.get_attribute_value(a)
            except ValueError:  # an attribute whose type field is damaged (python_mutate.py found it)
                fail(node.name or node.op_type, "attribute '%s' has no valid type" % name)
            if isinstance(value, bytes) or (isinstance(value, list) and any(isinstance(v, bytes) for v in value)):
                fail(node.name or node.op_type, "attribute '%s' holds text where numbers belong" % name)
            return value
    return default


def read_step(what, step):
    """Runs one step of reading the model; an exception or a warning rejects the model with its first line.
    A damaged protobuf can decode partly with only a RuntimeWarning ("Unexpected end-group tag: Not all data
    was converted"); the C++ side reports the first line of stderr, so a warning printed there would stand in
    for the error (found by the ONNX mutation campaign)."""
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = step()
    except Exception as e:  # onnx raises DecodeError, InferenceError and friends
        fail("model", f"{what}: {str(e).splitlines()[0] if str(e) else type(e).__name__}")
    if caught:
        fail("model", f"{what}: {str(caught[0].message).splitlines()[0]}")
    return result


class Model:
    def __init__(self, path):
        model = read_step("cannot read ONNX model", lambda: onnx.load(path))
        model = read_step("shape inference failed", lambda: shape_inference.infer_shapes(model, strict_mode=True))
        self.graph = model.graph
        self.weights = {t.name: numpy_helper.to_array(t) for t in self.graph.initializer}
        for node in self.graph.node:  # weights stored as Constant nodes
            if node.op_type == "Constant" and node.output:
                value = attribute(node, "value", None)
                if value is not None:
                    self.weights[node.output[0]] = numpy_helper.to_array(value)
        self.shapes = {}
        for v in list(self.graph.input) + list(self.graph.value_info) + list(self.graph.output):
            dims = v.type.tensor_type.shape.dim
            self.shapes[v.name] = [d.dim_value if d.HasField("dim_value") else None for d in dims]
        self.graph_inputs = {v.name for v in self.graph.input} - set(self.weights)

    def shape(self, node, name):
        """Static shape of an activation; the leading (batch) dimension may be symbolic."""
        if name in self.weights:
            return list(self.weights[name].shape)
        if name not in self.shapes:
            fail(f"node {node_name(node)}", f"no shape for input '{name}' after shape inference")
        dims = self.shapes[name]
        if any(d is None or d == 0 for d in dims[1:]):
            fail(f"node {node_name(node)}", f"input '{name}' has symbolic dimensions {dims}; export with static shapes")
        return [1 if i == 0 and (d is None or d == 0) else d for i, d in enumerate(dims)]


def node_name(node):
    name = node.name or (node.output[0] if node.output else node.op_type)
    if isinstance(name, bytes):  # protobuf hands back text that is not valid UTF-8 as bytes
        fail(node.op_type, "a node name is not valid UTF-8")
    return name


def bits(array):
    return np.packbits((array != 0).reshape(-1), bitorder="little").tobytes()


def conv(model, node):
    where = f"node {node_name(node)}"
    if len(node.input) < 2 or node.input[1] not in model.weights:
        fail(where, "Conv weights must be an initializer")
    w = model.weights[node.input[1]]
    if w.ndim != 4:
        fail(where, f"only 2-D convolutions are supported (weights of rank {w.ndim})")
    x = model.shape(node, node.input[0])
    y = model.shape(node, node.output[0])
    groups = attribute(node, "group", 1)
    strides = list(attribute(node, "strides", [1, 1]))
    dil = list(attribute(node, "dilations", [1, 1]))
    if dil != [1, 1]:
        fail(where, f"dilated convolutions are not supported (dilations {dil})")
    if strides[0] != strides[1]:
        fail(where, f"unequal strides {strides} are not supported")
    kh, kw = int(w.shape[2]), int(w.shape[3])
    s = int(strides[0])
    # One symmetric pad per layer: the one that reproduces the inferred output size (covers auto_pad and
    # the asymmetric "SAME" pads of TF exports, which differ by one).
    pad = None
    for p in range(0, max(kh, kw) + 1):
        if (x[2] + 2 * p - kh) // s + 1 == y[2] and (x[3] + 2 * p - kw) // s + 1 == y[3]:
            pad = p
            break
    if pad is None:
        fail(where, f"no symmetric padding gives the output {y[2]}x{y[3]} from {x[2]}x{x[3]}")
    return {"type": "conv", "cin": int(x[1]), "cout": int(w.shape[0]), "h": int(x[2]), "w": int(x[3]),
            "kh": kh, "kw": kw, "stride": s, "pad": pad, "groups": int(groups)}, w


def gemm(model, node):
    where = f"node {node_name(node)}"
    a, b = node.input[0], node.input[1]
    trans_a, trans_b = attribute(node, "transA", 0), attribute(node, "transB", 0)
    if b not in model.weights:
        if a in model.weights:
            fail(where, "Gemm with a weight as A and an activation as B is not supported")
        sa, sb = model.shape(node, a), model.shape(node, b)
        m, k = (sa[1], sa[0]) if trans_a else (sa[0], sa[1])
        n = sb[0] if trans_b else sb[1]
        return {"type": "matmul", "m": int(m), "k": int(k), "n": int(n), "count": 1}, None
    if trans_a:
        fail(where, "Gemm with transA = 1 on the activation is not supported")
    w = model.weights[b]
    w = w if trans_b else w.T  # to [out, in]
    return {"type": "fc", "cin": int(w.shape[1]), "cout": int(w.shape[0]), "tokens": 1}, w


def matmul(model, node):
    where = f"node {node_name(node)}"
    a, b = node.input[0], node.input[1]
    if a in model.weights and b not in model.weights:
        fail(where, "MatMul with the weight on the left is not supported")
    sa = model.shape(node, a)
    if b in model.weights:
        w = model.weights[b]
        if w.ndim != 2:
            fail(where, f"MatMul weights of rank {w.ndim} are not supported")
        tokens = int(np.prod(sa[1:-1])) if len(sa) > 2 else 1  # rows per sample: everything but batch and K
        return {"type": "fc", "cin": int(w.shape[0]), "cout": int(w.shape[1]), "tokens": tokens}, w.T
    sb = model.shape(node, b)
    if len(sa) < 2 or len(sb) < 2:
        fail(where, "MatMul of vectors is not supported")
    count = int(np.prod(sa[1:-2])) if len(sa) > 3 else 1  # heads: batch dims after the first
    return {"type": "matmul", "m": int(sa[-2]), "k": int(sa[-1]), "n": int(sb[-1]), "count": count}, None


def main():
    if len(sys.argv) != 3:
        fail("usage", "onnx_import.py MODEL.onnx OUT_DIR")
    model = Model(sys.argv[1])
    out_dir = sys.argv[2]
    layers, names = [], set()
    handlers = {"Conv": conv, "Gemm": gemm, "MatMul": matmul}
    for node in model.graph.node:
        if node.op_type not in handlers:
            continue
        layer, w = handlers[node.op_type](model, node)
        name = node_name(node)
        base, i = name, 1
        while name in names:
            i += 1
            name = f"{base}_{i}"
        names.add(name)
        layer["name"] = name
        layer["op"] = node.op_type
        layer["input_gradient"] = node.input[0] not in model.graph_inputs
        if w is not None:
            layer["weight_shape"] = [int(d) for d in w.shape]
            layer["nonzeros"] = int(np.count_nonzero(w))
            layer["bits"] = f"{len(layers)}.bits"
            with open(os.path.join(out_dir, layer["bits"]), "wb") as f:
                f.write(bits(np.ascontiguousarray(w)))
        layers.append(layer)
    if not layers:
        fail("model", "no Conv, Gemm or MatMul nodes")
    name = model.graph.name or os.path.splitext(os.path.basename(sys.argv[1]))[0]
    with open(os.path.join(out_dir, "layers.json"), "w") as f:
        json.dump({"name": name, "layers": layers}, f, indent=1)


if __name__ == "__main__":
    main()
