"""`sparsim workloads capture` end to end: tiny captures (a few seconds each, Debian's python3-torch) that
`sparsim workloads validate` accepts, reproducible for a seed, with the methods' phases and mask changes;
and a missing torch is one line with exit status 2. Captures are skipped, saying why, when torch cannot be
imported by /usr/bin/python3 (scripts/test.sh installs it) or build/sparsim has not been built."""
import csv
import filecmp
import os
import subprocess

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SPARSIM = os.path.join(ROOT, "build", "sparsim")
PYTHON = "/usr/bin/python3"


def have_torch():
    return subprocess.run([PYTHON, "-c", "import torch"], capture_output=True).returncode == 0


needs_binary = pytest.mark.skipif(not os.path.exists(SPARSIM), reason="build/sparsim is not built (cmake --build build)")
needs_torch = pytest.mark.skipif(not have_torch(),
                                 reason="python3-torch is not installed (apt-get install python3-torch; "
                                        "scripts/test.sh installs it)")


def sparsim(*args, env=None):
    e = dict(os.environ, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1")
    e.update(env or {})
    return subprocess.run([SPARSIM, "workloads", *args], capture_output=True, text=True, env=e, timeout=300)


def capture(tmp_path, model, method, steps, every, seed=1, name="trace"):
    out = str(tmp_path / name)
    r = sparsim("capture", "--model", model, "--method", method, "--steps", str(steps), "--record-every",
                str(every), "--seed", str(seed), "-o", out)
    assert r.returncode == 0, r.stderr
    return out, r


def rows(trace):
    with open(os.path.join(trace, "densities.csv")) as f:
        return list(csv.DictReader(f))


@needs_binary
@needs_torch
@pytest.mark.parametrize("model,method", [("mlp", "rigl"), ("cnn", "dsd"), ("lstm", "nm"),
                                          ("transformer", "magnitude"), ("mlp", "set"), ("cnn", "dense")])
def test_capture_validates(tmp_path, model, method):
    trace, r = capture(tmp_path, model, method, 12, 4)
    assert "valid: 4 records" in r.stdout  # steps 0, 4, 8 and the last, 11
    v = sparsim("validate", trace)
    assert v.returncode == 0, v.stderr
    assert "method " + method in v.stdout
    steps = sorted({int(x["step"]) for x in rows(trace)})
    assert steps == [0, 4, 8, 11]
    for x in rows(trace):
        for key in ("weight_density", "activation_density", "gradient_density", "mask_change"):
            assert 0.0 <= float(x[key]) <= 1.0


@needs_binary
@needs_torch
def test_capture_is_reproducible_and_seeded(tmp_path):
    a, _ = capture(tmp_path, "mlp", "rigl", 10, 3, seed=5, name="a")
    b, _ = capture(tmp_path, "mlp", "rigl", 10, 3, seed=5, name="b")
    c, _ = capture(tmp_path, "mlp", "rigl", 10, 3, seed=6, name="c")
    assert filecmp.cmp(os.path.join(a, "densities.csv"), os.path.join(b, "densities.csv"), shallow=False)
    assert filecmp.cmp(os.path.join(a, "masks", "0", "fc1.spmask"), os.path.join(b, "masks", "0", "fc1.spmask"),
                       shallow=False)
    assert not filecmp.cmp(os.path.join(a, "masks", "0", "fc1.spmask"),
                           os.path.join(c, "masks", "0", "fc1.spmask"), shallow=False)
    with open(os.path.join(a, "trace.yaml")) as f:
        text = f.read()
    assert "seed: 5" in text and "torch: " in text and "method: rigl" in text


@needs_binary
@needs_torch
def test_dsd_phases_and_nm_masks(tmp_path):
    trace, _ = capture(tmp_path, "mlp", "dsd", 30, 1)
    by_step = {}
    for x in rows(trace):
        by_step.setdefault(int(x["step"]), []).append(x)
    phases = [by_step[s][0]["phase"] for s in sorted(by_step)]
    assert phases == ["dense"] * 10 + ["sparse"] * 10 + ["redense"] * 10
    fc1 = {s: next(x for x in by_step[s] if x["layer"] == "fc1") for s in by_step}
    assert float(fc1[5]["weight_density"]) == 1.0 and fc1[5]["mask"] == ""
    assert float(fc1[15]["weight_density"]) == pytest.approx(0.25, abs=1e-3)
    assert float(fc1[10]["mask_change"]) == pytest.approx(0.75, abs=1e-3)  # pruned at the phase change
    assert float(fc1[11]["mask_change"]) == 0.0  # the mask stays fixed while sparse
    assert fc1[25]["mask"] == ""
    nm, _ = capture(tmp_path, "cnn", "nm", 3, 1, name="nm")
    conv2 = [x for x in rows(nm) if x["layer"] == "conv2"]
    assert all(float(x["weight_density"]) == 0.5 for x in conv2)
    assert all(x["mask_bp"].endswith("conv2.bp.spmask") for x in conv2)


@needs_binary
def test_capture_list_and_bad_arguments_need_no_torch(tmp_path):
    r = sparsim("capture", "--list")
    assert r.returncode == 0
    for word in ("cnn", "mlp", "lstm", "transformer", "resnet18", "vgg16", "dense", "magnitude", "dsd", "nm",
                 "rigl", "set"):
        assert word in r.stdout
    r = sparsim("capture", "--model", "resnet", "--method", "nm", "--steps", "3", "-o", str(tmp_path / "x"))
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1
    assert "--model: expected one of cnn, mlp, lstm, transformer, resnet18, vgg16," in r.stderr


@needs_binary
def test_capture_without_torch_says_how_to_install_it(tmp_path):
    fake = tmp_path / "fake"
    (fake / "torch").mkdir(parents=True)
    (fake / "torch" / "__init__.py").write_text("raise ImportError('No module named torch')\n")
    r = sparsim("capture", "--model", "mlp", "--method", "nm", "--steps", "3", "-o", str(tmp_path / "x"),
                env={"PYTHONPATH": str(fake)})
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1
    assert "apt-get install python3-torch" in r.stderr


def test_trace_summary_tables_of_the_shipped_trace():
    summary = os.path.join(ROOT, "workloads", "trace_summary.py")
    shipped = os.path.join(ROOT, "workloads", "traces", "cnn-nm")
    r = subprocess.run([PYTHON, summary, shipped, "--changes"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("| layer | mean mask change")
    assert [x.split("|")[1].strip() for x in lines[2:]] == ["conv2", "fc1"]  # the masked layers
    assert all(x.split("|")[4].strip() == "4 of 4" for x in lines[2:])  # SR-STE moves masks every record
    r = subprocess.run([PYTHON, summary, shipped, "--phases"], capture_output=True, text=True)
    assert "| train | 0-39 | 5 | 0.500 |" in r.stdout
    r = subprocess.run([PYTHON, summary, shipped, "--column", "gradient_density", "--rows", "2"],
                       capture_output=True, text=True)
    assert [x.split("|")[1].strip() for x in r.stdout.splitlines()[2:]] == ["0", "39"]


# ----------------------------------------------------------------------------------------------------------
# resnet18 and vgg16: torchvision's layer shapes on small synthetic images (batch 4; a 2-step capture took
# 12-25 s on the busy 2-core build machine, load 5: importing torch, VGG's convs, top-k over its 12.8 M-weight
# classifier.0).

@needs_binary
@needs_torch
@pytest.mark.parametrize("model,method", [("resnet18", "nm"), ("resnet18", "rigl"), ("vgg16", "nm"),
                                          ("vgg16", "set")])
def test_torchvision_shaped_captures_validate_and_run(tmp_path, model, method):
    trace, r = capture(tmp_path, model, method, 2, 1)
    assert "valid: 2 records" in r.stdout
    with open(os.path.join(trace, "trace.yaml")) as f:
        text = f.read()
    assert "batch: 4" in text
    by_layer = {x["layer"]: x for x in rows(trace) if x["step"] == "1"}
    first, last = ("conv1", "fc") if model == "resnet18" else ("features.0", "classifier.6")
    inner = "layer3.0.downsample.0" if model == "resnet18" else "features.28"
    assert list(by_layer)[0] == first and list(by_layer)[-1] == last
    assert float(by_layer[first]["weight_density"]) == 1.0 and by_layer[first]["mask"] == ""  # stays dense
    if method == "nm":
        assert float(by_layer[inner]["weight_density"]) == 0.5
        assert by_layer[inner]["mask_bp"].endswith(inner + ".bp.spmask")
    else:  # rigl and set start at --density
        assert float(by_layer[inner]["weight_density"]) == pytest.approx(0.25, abs=1e-3)
    assert 0.0 < float(by_layer[inner]["activation_density"]) < 1.0  # a ReLU output
    if model == "vgg16":  # its run takes 6 s here; resnet18's convs (strided, 1x1) are the ones to cover
        return
    e = dict(os.environ, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1")
    run = subprocess.run([SPARSIM, "run", "--workload", trace, "--out", str(tmp_path / "run")], capture_output=True,
                         text=True, env=e, timeout=300)
    assert run.returncode == 0, run.stderr
    if method == "rigl":  # BatchNorm on batch statistics, RigL's seeded random mask: byte-identical per seed
        again, _ = capture(tmp_path, model, method, 2, 1, name="again")
        for f in ("densities.csv", os.path.join("masks", "0", "layer3.0.downsample.0.spmask")):
            assert filecmp.cmp(os.path.join(trace, f), os.path.join(again, f), shallow=False)


def torchvision_layers(model):
    """Each conv/linear of torchvision's model (10 classes) run on one 3x32x32 image: name -> the fields of
    sparsim's network YAML that the capture must reproduce."""
    torch = pytest.importorskip("torch", reason="python3-torch is not installed")
    tv = pytest.importorskip("torchvision", reason="python3-torchvision is not installed (scripts/setup.sh "
                                                   "--capture installs it)")
    net = getattr(tv.models, model)(num_classes=10)
    found = {}
    for name, mod in net.named_modules():
        def hook(mod, inp, out, name=name):
            x = inp[0]
            if isinstance(mod, torch.nn.Conv2d):
                found[name] = dict(type="conv", cin=mod.in_channels, cout=mod.out_channels, h=x.shape[2],
                                   w=x.shape[3], kh=mod.kernel_size[0], kw=mod.kernel_size[1],
                                   stride=mod.stride[0], pad=mod.padding[0])
            else:
                found[name] = dict(type="fc", cin=mod.in_features, cout=mod.out_features)
        if isinstance(mod, (torch.nn.Conv2d, torch.nn.Linear)):
            mod.register_forward_hook(hook)
    with torch.no_grad():
        net.eval()(torch.zeros(1, 3, 32, 32))
    return found


@pytest.mark.parametrize("model", ["resnet18", "vgg16"])
def test_capture_models_have_torchvisions_layer_shapes(model):
    ref = torchvision_layers(model)
    import sys
    sys.path.insert(0, os.path.join(ROOT, "workloads"))
    import training_capture_torch as tct
    s = tct.Sparse()
    m = tct.MODELS[model](s)
    ours = {l["name"]: {k: l[k] for k in ref.get(l["name"], {})} for l in m.layers}
    assert list(ours) == list(ref)  # same names in the same (forward) order
    if model == "vgg16":  # the one documented change: the classifier's hidden width
        hidden = tct.VGG16.HIDDEN
        assert hidden < 4096
        ref["classifier.0"]["cout"] = ref["classifier.3"]["cin"] = ref["classifier.3"]["cout"] = hidden
        ref["classifier.6"]["cin"] = hidden
    assert ours == ref
    # the weights the masks are recorded for have torchvision's shapes (classifier widths as above)
    assert {k: tuple(w.shape[:2]) for k, w in s.w.items()} == {k: (v["cout"], v["cin"]) for k, v in ref.items()}
