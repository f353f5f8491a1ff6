"""The PyTorch half of `sparsim workloads capture` (workloads/training_capture.py checks the arguments and
that torch imports, then calls capture()). CPU only, one thread, deterministic algorithms, seeded.
(One thread: these models are too small to gain from more, and with two OpenMP threads on a busy 2-core
machine a small conv took 0.1 s instead of 0.001 s, the threads waiting on each other.)

Every GEMM layer of a model goes through Sparse.linear / Sparse.conv / Sparse.probe, which apply the
pruning method's masks and measure, on recorded steps, the non-zero fraction of the layer's input and of
the gradient of its output. The forward pass multiplies by the FF mask; the backward-data pass by the BP
mask (the same mask except under N:M, where it is N:M along Cout: bidirectional pruning); the weight
gradient is always dense, so RigL can regrow by it and SR-STE passes it straight through.
"""
import math
import os
import platform
import shutil
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

BATCH = 32


# ----------------------------------------------------------------------------------------------------------
# Data: 8x8 digits (scikit-learn's bundled copy when python3-sklearn is installed, else seeded synthetic
# digits: 10 random 8x8 prototypes, scaled, shifted by a pixel and noised, small values set to 0), a
# synthetic sequence task for the LSTM and a synthetic token task for the transformer. The data set does not
# depend on --seed (only initialisation and batch order do), so seeds compare on the same data.

def digits():
    try:
        import sklearn
        from sklearn.datasets import load_digits
        d = load_digits()
        x = torch.tensor(d.images, dtype=torch.float32) / 16.0
        y = torch.tensor(d.target, dtype=torch.long)
        return x, y, "digits (scikit-learn %s load_digits, 1797 images)" % sklearn.__version__
    except ImportError:
        g = torch.Generator().manual_seed(20261130)
        protos = (torch.rand(10, 8, 8, generator=g) > 0.55).float()
        y = torch.randint(0, 10, (1797,), generator=g)
        x = protos[y] * (0.6 + 0.4 * torch.rand(1797, 1, 1, generator=g))
        shift = torch.randint(-1, 2, (1797,), generator=g)
        x = torch.stack([torch.roll(x[i], int(shift[i]), dims=1) for i in range(1797)])
        x = (x + 0.15 * torch.randn(1797, 8, 8, generator=g)).clamp(0, 1)
        x[x < 0.2] = 0.0
        return x, y, "synthetic-digits (python3-sklearn not installed: 10 seeded 8x8 prototypes, 1797 images)"


def sequences():
    g = torch.Generator().manual_seed(20261131)
    x = torch.randn(2048, 8, 8, generator=g)
    # class: which of the first 4 features has the largest sum over the sequence
    y = x[:, :, :4].sum(1).argmax(1)
    return x, y, "synthetic-sequences (2048 x 8 steps x 8 features; class = argmax of 4 feature sums)"


def tokens():
    g = torch.Generator().manual_seed(20261132)
    x = torch.randint(0, 16, (2048, 16), generator=g)
    # class: which quarter of the vocabulary occurs most often (ties: the lower)
    counts = torch.stack([((x >= 4 * q) & (x < 4 * q + 4)).sum(1) for q in range(4)], 1)
    y = counts.argmax(1)
    return x, y, "synthetic-tokens (2048 x 16 tokens of 16; class = most frequent vocabulary quarter)"


def images():
    """For resnet18 and vgg16, whose point is their layer shapes and the masks pruning gives them, not
    accuracy: 10 seeded 3x8x8 colour prototypes upsampled to 32x32, scaled and noised."""
    g = torch.Generator().manual_seed(20261133)
    protos = F.interpolate(torch.rand(10, 3, 8, 8, generator=g), size=(32, 32), mode="nearest")
    y = torch.randint(0, 10, (512,), generator=g)
    x = protos[y] * (0.6 + 0.4 * torch.rand(512, 1, 1, 1, generator=g)) + 0.2 * torch.randn(512, 3, 32, 32,
                                                                                          generator=g)
    return x, y, "synthetic-images (512 x 3x32x32: 10 seeded colour prototypes, scaled and noised)"


# ----------------------------------------------------------------------------------------------------------
# Masked GEMMs with separate FF and BP masks and a dense weight gradient.

class SparseLinearFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, w, b, mf, mb):
        ctx.save_for_backward(x, w, mb)
        ctx.has_bias = b is not None
        return F.linear(x, w * mf, b)

    @staticmethod
    def backward(ctx, gy):
        x, w, mb = ctx.saved_tensors
        gx = gy @ (w * mb)
        g2 = gy.reshape(-1, gy.shape[-1])
        gw = g2.t() @ x.reshape(-1, x.shape[-1])
        gb = g2.sum(0) if ctx.has_bias else None
        return gx, gw, gb, None, None


class SparseConvFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, w, b, mf, mb, stride, pad):
        ctx.save_for_backward(x, w, mb)
        ctx.has_bias, ctx.stride, ctx.pad = b is not None, stride, pad
        return F.conv2d(x, w * mf, b, stride, pad)

    @staticmethod
    def backward(ctx, gy):
        x, w, mb = ctx.saved_tensors
        gx = torch.nn.grad.conv2d_input(x.shape, w * mb, gy, ctx.stride, ctx.pad)
        gw = torch.nn.grad.conv2d_weight(x, w.shape, gy, ctx.stride, ctx.pad)
        gb = gy.sum((0, 2, 3)) if ctx.has_bias else None
        return gx, gw, gb, None, None, None, None


class Sparse:
    """The weights of a model, their FF and BP masks, and the density probes."""

    def __init__(self):
        self.w, self.b, self.mf, self.mb = {}, {}, {}, {}
        self.prunable = set()
        self.recording = False
        self.act, self.grad = {}, {}

    def add(self, name, shape, prunable, fan_in, bias=True):
        bound = 1.0 / math.sqrt(fan_in)
        self.w[name] = torch.nn.Parameter(torch.empty(shape).uniform_(-bound, bound))
        self.b[name] = torch.nn.Parameter(torch.zeros(shape[0])) if bias else None
        self.mf[name] = torch.ones(shape)
        self.mb[name] = self.mf[name]
        if prunable:
            self.prunable.add(name)

    def parameters(self):
        return [p for p in list(self.w.values()) + list(self.b.values()) if p is not None]

    def probe(self, name, inp, out):
        if self.recording:
            self.act[name] = float((inp != 0).float().mean())

            def hook(g, name=name):
                self.grad[name] = float((g != 0).float().mean())
            if out.requires_grad:
                out.register_hook(hook)
        return out

    def linear(self, name, x, owner=None):
        o = owner or name
        return self.probe(name, x, SparseLinearFn.apply(x, self.w[o], self.b[o], self.mf[o], self.mb[o]))

    def conv(self, name, x, stride=1, pad=0):
        return self.probe(name, x, SparseConvFn.apply(x, self.w[name], self.b[name], self.mf[name], self.mb[name],
                                                      stride, pad))


# ----------------------------------------------------------------------------------------------------------
# Models. Each gives its layers in sparsim's network YAML form (names match the probes) and a forward.
# First layers reading the input with few channels and the classifiers stay dense (prunable: false), as in
# sparsim's built-in networks and the sparse-training papers.

def conv_layer(name, cin, cout, hw, k, pad, **extra):
    d = dict(name=name, type="conv", cin=cin, cout=cout, h=hw, w=hw, kh=k, kw=k, stride=1, pad=pad)
    d.update(extra)
    return d


def fc_layer(name, cin, cout, tokens=1, **extra):
    d = dict(name=name, type="fc", cin=cin, cout=cout)
    if tokens != 1:
        d["tokens"] = tokens
    d.update(extra)
    return d


class CNN:
    lr = 0.1

    def __init__(self, s):
        self.s = s
        self.data = digits()
        self.layers = [conv_layer("conv1", 1, 8, 8, 3, 1, input_gradient=False, prunable=False),
                       conv_layer("conv2", 8, 16, 8, 3, 1, relu_input=True),
                       fc_layer("fc1", 256, 32, relu_input=True),
                       fc_layer("fc2", 32, 10, relu_input=True, prunable=False)]
        s.add("conv1", (8, 1, 3, 3), False, 9)
        s.add("conv2", (16, 8, 3, 3), True, 72)
        s.add("fc1", (32, 256), True, 256)
        s.add("fc2", (10, 32), False, 32)

    def forward(self, x):
        s = self.s
        x = F.relu(s.conv("conv1", x.unsqueeze(1), 1, 1))
        x = F.max_pool2d(F.relu(s.conv("conv2", x, 1, 1)), 2)
        x = F.relu(s.linear("fc1", x.flatten(1)))
        return s.linear("fc2", x)


class MLP:
    lr = 0.05

    def __init__(self, s):
        self.s = s
        self.data = digits()
        self.layers = [fc_layer("fc1", 64, 128, input_gradient=False),
                       fc_layer("fc2", 128, 64, relu_input=True),
                       fc_layer("fc3", 64, 10, relu_input=True, prunable=False)]
        s.add("fc1", (128, 64), True, 64)
        s.add("fc2", (64, 128), True, 128)
        s.add("fc3", (10, 64), False, 64)

    def forward(self, x):
        s = self.s
        x = F.relu(s.linear("fc1", x.flatten(1)))
        x = F.relu(s.linear("fc2", x))
        return s.linear("fc3", x)


class LSTM:
    """sparsim's LSTM layout (workloads/networks/lstm.cpp): one input GEMM over all steps, one recurrent GEMM
    per step from step 1 (step 0 multiplies the zero state), steps 2.. sharing step 1's weights."""
    lr = 0.2
    T, I, H = 8, 8, 32

    def __init__(self, s):
        self.s = s
        self.data = sequences()
        T, I, H = self.T, self.I, self.H
        self.layers = [fc_layer("lstm.input", I, 4 * H, T, input_gradient=False)]
        for t in range(1, T):
            extra = {"shares_weights": "lstm.recurrent.t1"} if t > 1 else {}
            self.layers.append(fc_layer("lstm.recurrent.t%d" % t, H, 4 * H, **extra))
        self.layers.append(fc_layer("head", H, 4, prunable=False))
        s.add("lstm.input", (4 * H, I), True, H)
        s.add("lstm.recurrent.t1", (4 * H, H), True, H, bias=False)
        s.add("head", (4, H), False, H)

    def forward(self, x):
        s, H = self.s, self.H
        gates_x = s.linear("lstm.input", x)  # [B, T, 4H]
        h = torch.zeros(x.shape[0], H)
        c = torch.zeros(x.shape[0], H)
        for t in range(self.T):
            g = gates_x[:, t]
            if t > 0:
                g = g + s.linear("lstm.recurrent.t%d" % t, h, owner="lstm.recurrent.t1")
            i, f, u, o = g.chunk(4, 1)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(u)
            h = torch.sigmoid(o) * torch.tanh(c)
        return s.linear("head", h)


class Transformer:
    """One post-LN encoder block over 16 tokens (embeddings are not GEMMs and are left out, as in sparsim's
    BERT), mean-pooled into a classifier."""
    lr = 0.05
    T, D, HEADS, FFN, VOCAB = 16, 32, 2, 64, 16

    def __init__(self, s):
        self.s = s
        self.data = tokens()
        T, D, FFN, HD = self.T, self.D, self.FFN, self.D // self.HEADS
        self.layers = [fc_layer("block.query", D, D, T), fc_layer("block.key", D, D, T),
                       fc_layer("block.value", D, D, T),
                       dict(name="block.scores", type="matmul", m=T, k=HD, n=T, count=self.HEADS),
                       dict(name="block.context", type="matmul", m=T, k=T, n=HD, count=self.HEADS),
                       fc_layer("block.attn_out", D, D, T), fc_layer("block.ffn_in", D, FFN, T),
                       fc_layer("block.ffn_out", FFN, D, T, relu_input=True),
                       fc_layer("head", D, 4, prunable=False)]
        for name, shape in (("block.query", (D, D)), ("block.key", (D, D)), ("block.value", (D, D)),
                            ("block.attn_out", (D, D)), ("block.ffn_in", (FFN, D)), ("block.ffn_out", (D, FFN))):
            s.add(name, shape, True, shape[1])
        s.add("head", (4, D), False, D)
        self.embed = torch.nn.Parameter(torch.randn(self.VOCAB, D) * 0.5)
        self.pos = torch.nn.Parameter(torch.randn(T, D) * 0.1)
        self.extra = [self.embed, self.pos]

    def forward(self, x):
        s, B, T, D, NH = self.s, x.shape[0], self.T, self.D, self.HEADS
        HD = D // NH
        e = self.embed[x] + self.pos
        heads = lambda t: t.reshape(B, T, NH, HD).transpose(1, 2)  # noqa: E731
        q = heads(s.linear("block.query", e))
        k = heads(s.linear("block.key", e))
        v = heads(s.linear("block.value", e))
        kt = k.transpose(2, 3)
        scores = s.probe("block.scores", kt, q @ kt / math.sqrt(HD))
        p = torch.softmax(scores, -1)
        ctx = s.probe("block.context", v, p @ v).transpose(1, 2).reshape(B, T, D)
        y = F.layer_norm(e + s.linear("block.attn_out", ctx), (D,))
        z = s.linear("block.ffn_out", F.relu(s.linear("block.ffn_in", y)))
        y = F.layer_norm(y + z, (D,))
        return s.linear("head", y.mean(1))


class ResNet18:
    """torchvision's resnet18 (BasicBlock [2, 2, 2, 2], widths 64-512, 1x1 stride-2 downsample convs) with
    10 classes on 3x32x32 inputs: the 7x7/2 stem and 3x3/2 max pool leave 8x8 for layer1, 1x1 for layer4.
    Layer names are torchvision's state_dict names. BatchNorm is F.batch_norm in training mode (batch
    statistics, affine), as torchvision trains; like torchvision the convs have no bias."""
    lr = 0.002  # 0.05 diverged at batch 4 (loss 2.3 -> 22 in 20 steps), 0.01 jumped to 7
    batch = 4  # a few seconds a step on one CPU thread; the masks, not accuracy, are the point

    def __init__(self, s):
        self.s = s
        self.data = images()
        self.layers = [dict(conv_layer("conv1", 3, 64, 32, 7, 3, input_gradient=False, prunable=False),
                            stride=2)]
        s.add("conv1", (64, 3, 7, 7), False, 3 * 49, bias=False)
        self.bn = {}
        self.add_bn("bn1", 64)
        self.blocks = []
        cin, hw = 64, 8
        for stage, cout in enumerate((64, 128, 256, 512), 1):
            for b in range(2):
                p = "layer%d.%d" % (stage, b)
                stride = 2 if stage > 1 and b == 0 else 1
                down = stride != 1 or cin != cout
                self.layers.append(dict(conv_layer(p + ".conv1", cin, cout, hw, 3, 1, relu_input=True),
                                        stride=stride))
                s.add(p + ".conv1", (cout, cin, 3, 3), True, cin * 9, bias=False)
                self.add_bn(p + ".bn1", cout)
                self.layers.append(conv_layer(p + ".conv2", cout, cout, hw // stride, 3, 1, relu_input=True))
                s.add(p + ".conv2", (cout, cout, 3, 3), True, cout * 9, bias=False)
                self.add_bn(p + ".bn2", cout)
                if down:
                    self.layers.append(dict(conv_layer(p + ".downsample.0", cin, cout, hw, 1, 0,
                                                       relu_input=True), stride=stride))
                    s.add(p + ".downsample.0", (cout, cin, 1, 1), True, cin, bias=False)
                    self.add_bn(p + ".downsample.1", cout)
                self.blocks.append((p, stride, down))
                cin, hw = cout, hw // stride
        self.layers.append(fc_layer("fc", 512, 10, relu_input=True, prunable=False))
        s.add("fc", (10, 512), False, 512)
        self.extra = [p for wb in self.bn.values() for p in wb]

    def add_bn(self, name, c):
        self.bn[name] = (torch.nn.Parameter(torch.ones(c)), torch.nn.Parameter(torch.zeros(c)))

    def norm(self, name, x):
        w, b = self.bn[name]
        return F.batch_norm(x, None, None, w, b, training=True)

    def forward(self, x):
        s = self.s
        x = F.relu(self.norm("bn1", s.conv("conv1", x, 2, 3)))
        x = F.max_pool2d(x, 3, 2, 1)
        for p, stride, down in self.blocks:
            y = F.relu(self.norm(p + ".bn1", s.conv(p + ".conv1", x, stride, 1)))
            y = self.norm(p + ".bn2", s.conv(p + ".conv2", y, 1, 1))
            if down:
                x = self.norm(p + ".downsample.1", s.conv(p + ".downsample.0", x, stride, 0))
            x = F.relu(y + x)
        return s.linear("fc", F.adaptive_avg_pool2d(x, 1).flatten(1))


class VGG16:
    """torchvision's vgg16 (configuration D, no BatchNorm: the 13 3x3 convs 64-512 with 5 max pools) with 10
    classes on 3x32x32 inputs. As in torchvision the 1x1 map after the last pool is adaptive-average-pooled to
    7x7 (the value repeated), so classifier.0 reads 512*7*7 = 25088 inputs. The one change: the classifier's
    hidden width is HIDDEN = 512 instead of 4096 (classifier.0 alone would be 103 M weights, too slow on one
    CPU thread and too large a mask per record); the trace's network says so by its cout. Layer names are
    torchvision's state_dict names (features.N, classifier.N)."""
    lr = 0.01
    batch = 4
    HIDDEN = 512
    CFG = (64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M")

    def __init__(self, s):
        self.s = s
        self.data = images()
        self.layers = []
        self.features = []  # (state_dict index, conv?) in order
        cin, hw = 3, 32
        for i, c in enumerate(self.CFG):
            if c == "M":  # torchvision's features index counts the ReLUs and pools too
                self.features.append((None, False))
                hw //= 2
                continue
            name = "features.%d" % self.index(i)
            first = cin == 3
            extra = dict(input_gradient=False, prunable=False) if first else dict(relu_input=True)
            self.layers.append(conv_layer(name, cin, c, hw, 3, 1, **extra))
            s.add(name, (c, cin, 3, 3), not first, cin * 9)
            self.features.append((name, True))
            cin = c
        h = self.HIDDEN
        self.layers += [fc_layer("classifier.0", 512 * 7 * 7, h, relu_input=True),
                        fc_layer("classifier.3", h, h, relu_input=True),
                        fc_layer("classifier.6", h, 10, relu_input=True, prunable=False)]
        s.add("classifier.0", (h, 512 * 7 * 7), True, 512 * 7 * 7)
        s.add("classifier.3", (h, h), True, h)
        s.add("classifier.6", (10, h), False, h)

    def index(self, i):
        # torchvision's nn.Sequential: each conv is followed by a ReLU, each "M" is one MaxPool2d
        return sum(1 if c == "M" else 2 for c in self.CFG[:i])

    def forward(self, x):
        s = self.s
        for name, conv in self.features:
            x = F.relu(s.conv(name, x, 1, 1)) if conv else F.max_pool2d(x, 2)
        x = F.adaptive_avg_pool2d(x, 7).flatten(1)
        # torchvision's classifier has Dropout after classifier.1 and .4; left out to keep runs deterministic
        # across torch builds and since accuracy is not the point
        x = F.relu(s.linear("classifier.0", x))
        x = F.relu(s.linear("classifier.3", x))
        return s.linear("classifier.6", x)


MODELS = {"cnn": CNN, "mlp": MLP, "lstm": LSTM, "transformer": Transformer, "resnet18": ResNet18,
          "vgg16": VGG16}


# ----------------------------------------------------------------------------------------------------------
# Masks

def topk_mask(score, density):
    k = max(1, int(round(density * score.numel())))
    if k == score.numel():  # magnitude's first pruning step keeps all: skip a top-k over every weight (2 s for
        return torch.ones(score.shape)  # vgg16's classifier.0 on the busy build machine)
    flat = torch.zeros(score.numel())
    flat[torch.topk(score.reshape(-1), k).indices] = 1.0
    return flat.reshape(score.shape)


def nm_mask(w, n, m, axis):
    """Keep the n largest |w| of every m consecutive along `axis` (conv [Cout, Cin, KH, KW]: groups along
    Cin at each kernel position, as workloads/mask.cpp's nm)."""
    x = w.detach().abs().movedim(axis, -1)
    shape = x.shape
    g = x.reshape(*shape[:-1], shape[-1] // m, m)
    keep = torch.zeros_like(g).scatter_(-1, g.topk(n, dim=-1).indices, 1.0)
    return keep.reshape(shape).movedim(-1, axis).contiguous()


class Method:
    """Base: dense training. Subclasses change masks before a step (before), change gradients after the
    backward pass (after_backward) and re-apply masks after the optimizer step."""

    def __init__(self, s, args, opt, gen):
        self.s, self.args, self.opt, self.gen, self.steps = s, args, opt, gen, args.steps
        self.phase = "train"

    def before(self, step):
        pass

    def after_backward(self, step):
        pass

    def after_step(self, step):
        with torch.no_grad():
            for name in self.s.prunable:
                self.s.w[name].mul_(self.s.mf[name])

    def set_mask(self, name, mask):
        self.s.mf[name] = mask
        self.s.mb[name] = mask
        with torch.no_grad():
            self.s.w[name].mul_(mask)
        st = self.opt.state.get(self.s.w[name])
        if st and st.get("momentum_buffer") is not None:
            st["momentum_buffer"].mul_(mask)

    def mask_grads(self):
        for name in self.s.prunable:
            if self.s.w[name].grad is not None:
                self.s.w[name].grad.mul_(self.s.mf[name])


class Dense(Method):
    def after_step(self, step):
        pass


class Magnitude(Method):
    """Han et al. 2015 (prune small weights, retrain), with Zhu and Gupta's gradual cubic schedule: dense for
    the first 10 % of steps, pruning every few steps until 60 %, then retraining at the final density."""

    def __init__(self, *a):
        super().__init__(*a)
        self.start = int(0.1 * self.steps)
        self.end = max(self.start + 1, int(0.6 * self.steps))
        self.every = max(1, (self.end - self.start) // 10)

    def before(self, step):
        if step < self.start:
            self.phase = "dense"
            return
        self.phase = "pruning" if step <= self.end else "retrain"
        if step <= self.end and ((step - self.start) % self.every == 0 or step == self.end):
            t = min(1.0, (step - self.start) / (self.end - self.start))
            d = self.args.density + (1 - self.args.density) * (1 - t) ** 3
            for name in self.s.prunable:
                self.set_mask(name, topk_mask(self.s.w[name].detach().abs(), d))

    def after_backward(self, step):
        self.mask_grads()


class DSD(Method):
    """Han et al. 2017: dense for the first third, pruned by magnitude to --density and retrained for the
    second, then the mask is lifted (pruned weights restart from zero) and trained dense at lr / 10."""

    def before(self, step):
        third = max(1, self.steps // 3)
        if step < third:
            self.phase = "dense"
        elif step < 2 * third:
            if self.phase != "sparse":
                for name in self.s.prunable:
                    self.set_mask(name, topk_mask(self.s.w[name].detach().abs(), self.args.density))
            self.phase = "sparse"
        else:
            if self.phase != "redense":
                for name in self.s.prunable:
                    self.s.mf[name] = self.s.mb[name] = torch.ones_like(self.s.mf[name])
                for group in self.opt.param_groups:
                    group["lr"] *= 0.1
            self.phase = "redense"

    def after_backward(self, step):
        if self.phase == "sparse":
            self.mask_grads()

    def after_step(self, step):
        if self.phase == "sparse":
            super().after_step(step)


class SRSTE(Method):
    """Zhou et al. 2021: every step the FF mask is N:M of |w| along Cin and the BP mask N:M along Cout (the
    two masks of bidirectional pruning); the dense weights are kept and updated with the straight-through
    gradient plus the sparse-refined term lambda * (1 - mask) * w."""
    decay = 2e-4

    def before(self, step):
        for name in self.s.prunable:
            w = self.s.w[name]
            self.s.mf[name] = nm_mask(w, self.args.n, self.args.m, 1)
            self.s.mb[name] = nm_mask(w, self.args.n, self.args.m, 0)

    def after_backward(self, step):
        with torch.no_grad():
            for name in self.s.prunable:
                w = self.s.w[name]
                w.grad.add_(self.decay * (1 - self.s.mf[name]) * w)

    def after_step(self, step):
        pass


class DynamicSparse(Method):
    """SET (Mocanu et al. 2018) and RigL (Evci et al. 2020): each prunable layer starts with a random mask at
    --density; every k steps (k = steps / 10, at least 1) until 75 % of the run, a fraction (0.3, cosine
    decayed) of its active weights with the smallest |w| is dropped and as many inactive ones are regrown
    (RigL: largest |dense gradient|; SET: at random), starting from zero."""
    grow = "gradient"

    def __init__(self, *a):
        super().__init__(*a)
        self.every = max(1, self.steps // 10)
        self.stop = int(0.75 * self.steps)
        for name in sorted(self.s.prunable):
            w = self.s.w[name]
            score = torch.rand(w.shape, generator=self.gen)
            self.set_mask(name, topk_mask(score, self.args.density))

    def after_backward(self, step):
        if step > 0 and step % self.every == 0 and step < self.stop:
            frac = 0.15 * (1 + math.cos(math.pi * step / self.stop))
            for name in sorted(self.s.prunable):
                w, mask = self.s.w[name].detach(), self.s.mf[name]
                active = int(mask.sum())
                k = int(frac * active)
                if k == 0:
                    continue
                flat = mask.reshape(-1).clone()
                drop_score = torch.where(flat > 0, w.abs().reshape(-1), torch.full_like(flat, float("inf")))
                flat[torch.topk(drop_score, k, largest=False).indices] = 0.0
                if self.grow == "gradient":
                    grow_score = self.s.w[name].grad.detach().abs().reshape(-1).clone()
                else:
                    grow_score = torch.rand(flat.shape, generator=self.gen)
                grow_score[flat > 0] = -float("inf")
                flat[torch.topk(grow_score, k).indices] = 1.0
                self.set_mask(name, flat.reshape(mask.shape))
        self.mask_grads()


class RigL(DynamicSparse):
    grow = "gradient"


class SET(DynamicSparse):
    grow = "random"


METHODS = {"dense": Dense, "magnitude": Magnitude, "dsd": DSD, "nm": SRSTE, "rigl": RigL, "set": SET}


# ----------------------------------------------------------------------------------------------------------
# Output

def yaml_scalar(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    s = str(v)
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def layer_yaml(layer):
    return "{" + ", ".join("%s: %s" % (k, yaml_scalar(v)) for k, v in layer.items()) + "}"


def fmt(x):
    return "%.6f" % x


def capture(args, write_spmask, format_version):
    t0 = time.time()
    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    s = Sparse()
    model = MODELS[args.model](s)
    x_all, y_all, dataset = model.data
    layers = [dict(l) for l in model.layers]
    if args.method == "nm":
        for l in layers:
            if l["type"] != "matmul" and l.get("prunable", True) and "shares_weights" not in l:
                l["nm"] = "%d:%d" % (args.n, args.m)
                for dim in ("cin", "cout"):
                    if l[dim] % args.m:
                        sys.stderr.write("sparsim: error: --nm: %s of layer %s (%d) is not a multiple of M (%d)\n"
                                         % (dim, l["name"], l[dim], args.m))
                        sys.exit(2)
        for l in layers:
            if "shares_weights" in l:
                l["nm"] = "%d:%d" % (args.n, args.m)
    params = s.parameters() + list(getattr(model, "extra", []))
    opt = torch.optim.SGD(params, lr=model.lr, momentum=0.9)
    method = METHODS[args.method](s, args, opt, gen)

    out = args.output
    if os.path.isdir(os.path.join(out, "masks")):
        shutil.rmtree(os.path.join(out, "masks"))
    os.makedirs(os.path.join(out, "masks"), exist_ok=True)
    owner = {l["name"]: l.get("shares_weights", l["name"]) for l in layers}
    rows = []
    prev_mask = {}       # layer -> FF mask at the previous record
    written = {}         # (layer, kind) -> (mask, relative path) last written
    mask_bytes = 0
    n = x_all.shape[0]
    batch = getattr(model, "batch", BATCH)
    last = 0.0
    for step in range(args.steps):
        record = step % args.record_every == 0 or step == args.steps - 1
        method.before(step)
        idx = torch.randint(0, n, (batch,), generator=gen)
        s.recording = record
        s.act.clear()
        s.grad.clear()
        opt.zero_grad(set_to_none=True)
        logits = model.forward(x_all[idx])
        loss = F.cross_entropy(logits, y_all[idx])
        loss.backward()
        s.recording = False
        if record:
            # the masks this step's forward (FF) and backward-data (BP) passes used
            ff = {name: s.mf[name].clone() for name in s.w}
            bp = {name: s.mb[name].clone() for name in s.w}
        method.after_backward(step)
        opt.step()
        method.after_step(step)
        last = float(loss)
        if not record:
            continue
        paths = {}
        for name in s.w:
            for kind, masks in (("ff", ff), ("bp", bp)):
                m = masks[name]
                if kind == "bp" and torch.equal(m, ff[name]):
                    paths[(name, kind)] = ""
                    continue
                if bool(m.min() > 0):
                    paths[(name, kind)] = ""
                    continue
                old = written.get((name, kind))
                if old is not None and torch.equal(old[0], m):
                    paths[(name, kind)] = old[1]
                    continue
                rel = "masks/%d/%s%s.spmask" % (step, name, ".bp" if kind == "bp" else "")
                os.makedirs(os.path.join(out, "masks", str(step)), exist_ok=True)
                write_spmask(os.path.join(out, rel), m.numpy().astype(np.uint8))
                mask_bytes += os.path.getsize(os.path.join(out, rel))
                written[(name, kind)] = (m, rel)
                paths[(name, kind)] = rel
        for l in layers:
            name = l["name"]
            if l["type"] == "matmul":
                wd, change, mf, mb = 1.0, 0.0, "", ""
            else:
                o = owner[name]
                m = ff[o]
                wd = float(m.mean())
                change = float((m != prev_mask[o]).float().mean()) if o in prev_mask else 0.0
                mf, mb = paths[(o, "ff")], paths[(o, "bp")]
            rows.append([str(step), name, method.phase, fmt(wd), fmt(s.act.get(name, 1.0)),
                         fmt(s.grad.get(name, 1.0)), fmt(change), mf, mb])
        for name in s.w:
            prev_mask[name] = ff[name]
        print("step %d  loss %.4f  phase %s" % (step, last, method.phase))

    with open(os.path.join(out, "densities.csv"), "w") as f:
        f.write("step,layer,phase,weight_density,activation_density,gradient_density,mask_change,mask,mask_bp\n")
        for r in rows:
            f.write(",".join(r) + "\n")
    records = len(rows) // len(layers)
    with open(os.path.join(out, "trace.yaml"), "w") as f:
        f.write("# Training trace written by sparsim workloads capture (docs/workloads.md, \"Training traces\")\n")
        f.write("format: sparsim-training-trace\n")
        f.write("version: %d\n" % format_version)
        f.write("model: %s\n" % args.model)
        f.write("method: %s\n" % args.method)
        f.write("seed: %d\n" % args.seed)
        f.write("steps: %d\n" % args.steps)
        f.write("record_every: %d\n" % args.record_every)
        f.write("records: %d\n" % records)
        f.write("batch: %d\n" % batch)
        f.write("dataset: %s\n" % yaml_scalar(dataset))
        f.write("settings: {density: %s, nm: \"%d:%d\", lr: %s, optimizer: \"SGD momentum 0.9\"}\n"
                % (repr(args.density), args.n, args.m, repr(model.lr)))
        f.write("final_loss: %s\n" % repr(round(last, 6)))
        f.write("versions: {python: \"%s\", torch: \"%s\", numpy: \"%s\"}\n"
                % (platform.python_version(), torch.__version__, np.__version__))
        f.write("densities: densities.csv\n")
        f.write("network:\n")
        f.write("  name: %s\n" % yaml_scalar("%s-%s" % (args.model, args.method)))
        f.write("  layers:\n")
        for l in layers:
            f.write("    - %s\n" % layer_yaml(l))
    print("wrote %s: %d records of %d layers, %d mask bytes, %.1f s" % (out, records, len(layers), mask_bytes,
                                                                       time.time() - t0))
    return 0
