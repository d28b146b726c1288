#!/usr/bin/python3
"""Generate the model fixtures of tests/data/models/ (needs Debian's
python3-torch, python3-onnx, python3-h5py and numpy; CI does not run this, it
uses the committed files).

    /usr/bin/python3 tools/gen_model_fixtures.py [outdir]   (default tests/data/models)

What it writes (all from fixed seeds; rerunning gives the same numbers on the
same torch version):

bpnet.onnx            A small BPNet/ChromBPNet-like PyTorch network (below),
                      exported with torch.onnx.export.
bpnet_keras.h5        The SAME network with the SAME weights as a Keras 2
                      functional model, full-model HDF5 (model.save() layout:
                      root attribute model_config, weights under model_weights/).
bpnet_keras.json      ... as architecture JSON (model.to_json()) plus
bpnet_keras_weights.h5  weights-only HDF5 (model.save_weights() layout).
bpnet_ref.h5          Reference outputs computed with PyTorch autograd in
                      float64 (stored as float32), see write_reference().
zoo_*.onnx            Other common genomics CNN shapes exported with
zoo_ref.h5            torch.onnx.export, with their outputs on fixed inputs, to
                      find out (and test) what ops the exporter emits.
dyn_*.onnx            Some of them exported with a dynamic batch axis (Shape
                      arithmetic and If in the graph, which dmotif folds).
                      zoo_bpnet_lite_ctl.onnx has a second input (control
                      tracks), which dmotif feeds zeros.
bad_*.onnx            Exports dmotif refuses: an unsupported op (Elu), a
                      softmax inside the network.
PROVENANCE.txt        Versions, op lists of every .onnx file, sha256 sums.

The network (input one-hot, channels first inside PyTorch):
    x (N, 4, L=200)
    h = relu(conv(x, 32 filters, kernel 21, valid))                 (N, 32, 180)
    for d in 2, 4, 8, 16:
        c = relu(conv(h, 32, kernel 3, dilation d, valid))
        h = crop(h, d on each side) + c                             (residual, ChromBPNet style)
    p = conv(h, 1 filter, kernel 25, valid)                         (N, 1, 96)
    profile = crop(p, 8 on each side).squeeze(1)                    (N, 80)  per-position logits
    counts  = linear(global_average_pool(h))                        (N, 1)   log counts
Layout: PyTorch (and so the ONNX graph) is channels first, (N, C, L); the ONNX
input "sequence" is (N, 4, L). Keras is channels last, (N, L, C), with the input
(N, L, 4). Weights convert as Conv1d (out, in, k) -> Conv1D kernel (k, in, out)
and Linear (out, in) -> Dense kernel (in, out). dmotif users always give
one-hot (N, L, 4); its ONNX loader transposes to the graph's layout.
"""
import gzip
import hashlib
import json
import os
import sys

import h5py
import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
EXAMPLE = os.path.join(ROOT, "tests", "data", "deeplift_example", "sequences.simdata.gz")

L_IN, FILTERS, K0, DILATIONS, KP, OUT_LEN = 200, 32, 21, (2, 4, 8, 16), 25, 80
IG_STEPS = 16
N_SHUF = 2           # shuffled references per sequence
PROFILE_UNIT = 40    # the "single named unit" target: output 'profile', unit 40
SEQ_ROWS = (1, 2, 3)  # rows of the example TSV (0-based data rows) used as inputs


# --- the BPNet-like network

class BPNetLike(nn.Module):
    def __init__(self):
        super().__init__()
        self.iconv = nn.Conv1d(4, FILTERS, K0)
        self.rconvs = nn.ModuleList(nn.Conv1d(FILTERS, FILTERS, 3, dilation=d) for d in DILATIONS)
        self.pconv = nn.Conv1d(FILTERS, 1, KP)
        self.linear = nn.Linear(FILTERS, 1)

    def forward(self, x):  # x (N, 4, L)
        h = F.relu(self.iconv(x))
        for conv in self.rconvs:
            c = F.relu(conv(h))
            k = (h.shape[2] - c.shape[2]) // 2
            h = c + h[:, :, k:h.shape[2] - k]
        p = self.pconv(h)
        k = (p.shape[2] - OUT_LEN) // 2
        profile = p[:, :, k:k + OUT_LEN].squeeze(1)
        counts = self.linear(F.adaptive_avg_pool1d(h, 1).squeeze(2))
        return profile, counts


def make_bpnet():
    torch.manual_seed(10)
    m = BPNetLike()
    with torch.no_grad():  # larger than the default init, so the ReLUs and heads do something
        for mod in m.modules():
            if isinstance(mod, (nn.Conv1d, nn.Linear)):
                fan_in = mod.weight[0].numel()
                mod.weight.normal_(0.0, (2.0 / fan_in) ** 0.5)
                mod.bias.uniform_(-0.1, 0.1)
    return m.eval()


# --- Keras 2 functional twin, written with h5py

def keras_layer(cls, name, inbound, **cfg):
    c = {"name": name, "trainable": True, "dtype": "float32"}
    c.update(cfg)
    nodes = [[[src, 0, 0, {}] for src in inbound]] if inbound else []
    return {"class_name": cls, "config": c, "name": name, "inbound_nodes": nodes}


def conv_cfg(filters, k, d, act):
    return dict(filters=filters, kernel_size=[k], strides=[1], padding="valid", data_format="channels_last",
                dilation_rate=[d], groups=1, activation=act, use_bias=True,
                kernel_initializer={"class_name": "GlorotUniform", "config": {"seed": None}},
                bias_initializer={"class_name": "Zeros", "config": {}}, kernel_regularizer=None,
                bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, bias_constraint=None)


def keras_model(m):
    """Returns (model_config dict, [(layer name, [(weight name, array)])]) in Keras order."""
    layers, weights = [], []
    layers.append({"class_name": "InputLayer", "name": "sequence", "inbound_nodes": [],
                   "config": {"batch_input_shape": [None, L_IN, 4], "dtype": "float32", "sparse": False,
                              "ragged": False, "name": "sequence"}})

    def conv(name, mod, src, d, act):
        layers.append(keras_layer("Conv1D", name, [src], **conv_cfg(mod.out_channels, mod.kernel_size[0], d, act)))
        w = mod.weight.detach().numpy().transpose(2, 1, 0).astype(np.float32)  # (out,in,k) -> (k,in,out)
        weights.append((name, [("kernel:0", w), ("bias:0", mod.bias.detach().numpy().astype(np.float32))]))

    conv("iconv", m.iconv, "sequence", 1, "relu")
    h, hlen = "iconv", L_IN - K0 + 1
    for i, (d, mod) in enumerate(zip(DILATIONS, m.rconvs)):
        conv("rconv%d" % i, mod, h, d, "relu")
        layers.append(keras_layer("Cropping1D", "crop%d" % i, [h], cropping=[d, d]))
        layers.append(keras_layer("Add", "add%d" % i, ["rconv%d" % i, "crop%d" % i]))
        h, hlen = "add%d" % i, hlen - 2 * d
    conv("pconv", m.pconv, h, 1, "linear")
    k = (hlen - KP + 1 - OUT_LEN) // 2
    layers.append(keras_layer("Cropping1D", "pcrop", ["pconv"], cropping=[k, k]))
    layers.append(keras_layer("Flatten", "profile", ["pcrop"], data_format="channels_last"))
    layers.append(keras_layer("GlobalAveragePooling1D", "gap", [h], data_format="channels_last", keepdims=False))
    layers.append(keras_layer("Dense", "counts", ["gap"], units=1, activation="linear", use_bias=True,
                              kernel_initializer={"class_name": "GlorotUniform", "config": {"seed": None}},
                              bias_initializer={"class_name": "Zeros", "config": {}}, kernel_regularizer=None,
                              bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                              bias_constraint=None))
    weights.append(("counts", [("kernel:0", m.linear.weight.detach().numpy().T.astype(np.float32)),
                               ("bias:0", m.linear.bias.detach().numpy().astype(np.float32))]))
    config = {"class_name": "Functional",
              "config": {"name": "bpnet_like", "layers": layers, "input_layers": [["sequence", 0, 0]],
                         "output_layers": [["profile", 0, 0], ["counts", 0, 0]]},
              "keras_version": "2.8.0", "backend": "tensorflow"}
    return config, weights


def write_keras_weights(group, layers, weights):
    """Keras 2 hdf5_format.save_weights_to_hdf5_group: attrs layer_names,
    backend, keras_version; one group per layer with attr weight_names
    ("<layer>/kernel:0", ...), datasets at <layer>/<layer>/kernel:0."""
    wmap = dict(weights)
    names = [ly["config"]["name"] for ly in layers]
    group.attrs["layer_names"] = np.array([n.encode() for n in names])
    group.attrs["backend"] = b"tensorflow"
    group.attrs["keras_version"] = b"2.8.0"
    for n in names:
        g = group.create_group(n)
        ws = wmap.get(n, [])
        g.attrs["weight_names"] = np.array([("%s/%s" % (n, wn)).encode() for wn, _ in ws]) if ws else np.array([])
        for wn, arr in ws:
            g.create_dataset("%s/%s" % (n, wn), data=arr)


def write_keras(m, out):
    config, weights = keras_model(m)
    text = json.dumps(config)
    with h5py.File(os.path.join(out, "bpnet_keras.h5"), "w") as f:
        f.attrs["backend"] = b"tensorflow"
        f.attrs["keras_version"] = b"2.8.0"
        f.attrs["model_config"] = text.encode()
        write_keras_weights(f.create_group("model_weights"), config["config"]["layers"], weights)
    with open(os.path.join(out, "bpnet_keras.json"), "w") as f:
        f.write(text)
    with h5py.File(os.path.join(out, "bpnet_keras_weights.h5"), "w") as f:
        write_keras_weights(f, config["config"]["layers"], weights)


def check_keras(out, x, want):
    """Runs the written Keras files with numpy (channels last, Keras semantics)
    and checks they reproduce PyTorch's outputs: guards the weight layouts."""
    for cfg_src, wfile, root in (("bpnet_keras.h5", "bpnet_keras.h5", "model_weights"),
                                 ("bpnet_keras.json", "bpnet_keras_weights.h5", "/")):
        with h5py.File(os.path.join(out, wfile), "r") as f:
            text = f.attrs["model_config"] if cfg_src.endswith(".h5") else open(os.path.join(out, cfg_src)).read()
            cfg = json.loads(text)["config"]
            w = {n: [f[root][n][wn][()] for wn in f[root][n].attrs["weight_names"]] for n in f[root].attrs["layer_names"]
                 if len(f[root][n].attrs["weight_names"])}
        t = {}
        for ly in cfg["layers"]:
            c, name = ly["config"], ly["name"]
            ins = [t[src[0]] for src in ly["inbound_nodes"][0]] if ly["inbound_nodes"] else [x]
            a = ins[0]
            if ly["class_name"] == "Conv1D":
                k, b = w[name.encode()] if name.encode() in w else w[name]
                d, K = c["dilation_rate"][0], k.shape[0]
                Lo = a.shape[1] - (K - 1) * d
                y = sum(a[:, j * d:j * d + Lo, :] @ k[j] for j in range(K)) + b
                t[name] = np.maximum(y, 0) if c["activation"] == "relu" else y
            elif ly["class_name"] == "Cropping1D":
                t[name] = a[:, c["cropping"][0]:a.shape[1] - c["cropping"][1], :]
            elif ly["class_name"] == "Add":
                t[name] = ins[0] + ins[1]
            elif ly["class_name"] == "Flatten":
                t[name] = a.reshape(a.shape[0], -1)
            elif ly["class_name"] == "GlobalAveragePooling1D":
                t[name] = a.mean(axis=1)
            elif ly["class_name"] == "Dense":
                k, b = w[name.encode()] if name.encode() in w else w[name]
                t[name] = a @ k + b
            else:
                t[name] = a
        for (oname, _, _), ref in zip(cfg["output_layers"], want):
            err = np.abs(t[oname] - ref).max()
            print("%s %s max |keras - torch| = %.3g" % (cfg_src, oname, err))
            assert err < 1e-4, "%s: Keras twin output %s differs from PyTorch by %g" % (cfg_src, oname, err)


# --- inputs, references, autograd reference outputs

def example_onehot(rows):
    seqs = []
    with gzip.open(EXAMPLE, "rt") as f:
        next(f)
        for i, line in enumerate(f):
            if i in rows:
                seqs.append(line.split("\t")[1])
    x = np.zeros((len(seqs), L_IN, 4), np.float32)
    for s, seq in enumerate(seqs):
        for l, b in enumerate(seq[:L_IN]):
            if b in "ACGT":
                x[s, l, "ACGT".index(b)] = 1.0
    return x


def shuffled_refs(x, n, seed):
    """n random permutations of the positions of each sequence (fixed seed;
    any fixed references serve: the tests pass them to dmotif as they are)."""
    rng = np.random.default_rng(seed)
    return np.stack([np.stack([xs[rng.permutation(xs.shape[0])] for _ in range(n)]) for xs in x])


def targets(m, xcl, wmn_weights):
    """Scalar targets per row of a channels-last batch: dict name -> (N,)."""
    profile, counts = m(xcl.permute(0, 2, 1))
    out = {"counts": counts[:, 0], "profile_unit%d" % PROFILE_UNIT: profile[:, PROFILE_UNIT]}
    # weighted mean-normalised logits: sum_i w_i (z_i - mean z), w = softmax(z(x)) held constant
    out["profile_wmn"] = (wmn_weights * (profile - profile.mean(dim=1, keepdim=True))).sum(dim=1)
    return out


def grads(m, xcl, wmn_weights):
    xcl = xcl.clone().requires_grad_(True)
    t = targets(m, xcl, wmn_weights)
    return {k: torch.autograd.grad(v.sum(), xcl, retain_graph=True)[0] for k, v in t.items()}


def integrated_gradients(m, x, refs, wmn_weights):
    """dmotif's ig: per reference r, mean gradient over the midpoint Riemann
    points x0 + (k + 1/2)/steps (x - x0); hyp[l, b] = mean over r of
    sum_c m_r[l, c] (e_b[c] - x0_r[l, c]). wmn weights are those of the input x."""
    S, R = refs.shape[:2]
    hyp = {}
    for s in range(S):
        for r in range(R):
            x0 = refs[s, r]
            pts = torch.stack([x0 + (k + 0.5) / IG_STEPS * (x[s] - x0) for k in range(IG_STEPS)])
            g = grads(m, pts, wmn_weights[s:s + 1].expand(IG_STEPS, -1))
            for name, gk in g.items():
                mult = gk.mean(dim=0)                               # (L, 4)
                h = mult - (mult * x0).sum(dim=1, keepdim=True)   # (L, 4)
                hyp.setdefault(name, torch.zeros(S, L_IN, 4, dtype=torch.float64))[s] += h / R
    return hyp


def write_reference(m, out):
    m64 = BPNetLike().double().eval()
    m64.load_state_dict({k: v.double() for k, v in m.state_dict().items()})
    x = example_onehot(SEQ_ROWS)
    refs_shuf = shuffled_refs(x, N_SHUF, 1234)
    refs_zero = np.zeros((x.shape[0], 1, L_IN, 4), np.float32)
    xt = torch.from_numpy(x).double()
    with torch.no_grad():
        profile, counts = m64(xt.permute(0, 2, 1))
    wmn = torch.softmax(profile, dim=1)
    g = grads(m64, xt, wmn)
    f32 = lambda t: t.detach().numpy().astype(np.float32)
    check_keras(out, x.astype(np.float64), (profile.numpy(), counts.numpy()))
    with h5py.File(os.path.join(out, "bpnet_ref.h5"), "w") as f:
        f.attrs["generator"] = "tools/gen_model_fixtures.py"
        f.attrs["torch_version"] = str(torch.__version__)
        f.attrs["ig_steps"] = IG_STEPS
        f.attrs["profile_unit"] = PROFILE_UNIT
        f.attrs["description"] = (
            "PyTorch autograd in float64 on bpnet.onnx's network; inputs channels last (S, L, 4). "
            "grad/<t> = d target / d x at x; ig/<ref>/<t> = dmotif ig hyp (mean over references of "
            "sum_c m[l,c] (e_b[c] - x0[l,c]), m = mean gradient at the ig_steps midpoints). Targets: "
            "counts = counts[:,0]; profile_unit<k> = profile[:,k]; profile_wmn = sum_i w_i (z_i - mean z) "
            "with w = softmax(profile logits of the input x) (wmn_weights), held constant for references and steps.")
        f["x"] = x
        f["refs/zeros"] = refs_zero
        f["refs/shuffled"] = refs_shuf
        f["profile"] = f32(profile)
        f["counts"] = f32(counts)
        f["wmn_weights"] = f32(wmn)
        for k, v in g.items():
            f["grad/" + k] = f32(v)
        for rname, refs in (("zeros", refs_zero), ("shuffled", refs_shuf)):
            for k, v in integrated_gradients(m64, xt, torch.from_numpy(refs).double(), wmn).items():
                f["ig/%s/%s" % (rname, k)] = f32(v)


# --- other common genomics CNN shapes (what does torch.onnx.export emit?)

class Basset(nn.Module):
    """Basset-like: conv/batchnorm/relu/maxpool x2, flatten, dense/batchnorm/relu/dropout, dense, sigmoid."""

    def __init__(self, L=100, tasks=3):
        super().__init__()
        self.c1, self.b1 = nn.Conv1d(4, 16, 9, padding=4), nn.BatchNorm1d(16)
        self.c2, self.b2 = nn.Conv1d(16, 16, 5, padding=2), nn.BatchNorm1d(16)
        self.fc1, self.b3 = nn.Linear(16 * (L // 4 // 5), 32), nn.BatchNorm1d(32)
        self.drop = nn.Dropout(0.3)
        self.fc2 = nn.Linear(32, tasks)

    def forward(self, x):  # (N, 4, L)
        h = F.max_pool1d(F.relu(self.b1(self.c1(x))), 4)
        h = F.max_pool1d(F.relu(self.b2(self.c2(h))), 5)
        h = torch.flatten(h, 1)
        h = self.drop(F.relu(self.b3(self.fc1(h))))
        return torch.sigmoid(self.fc2(h))


class ChromBPNetLite(nn.Module):
    """bpnet-lite style: channels-last input permuted inside, 'same'-padded dilated
    residual convs, profile as log-probabilities, counts from a cropped mean
    concatenated with a control scalar."""

    def __init__(self, L=120, out_len=60):
        super().__init__()
        self.out_len = out_len
        self.iconv = nn.Conv1d(4, 8, 7, padding=3)
        self.rconvs = nn.ModuleList(nn.Conv1d(8, 8, 3, padding=d, dilation=d) for d in (2, 4))
        self.fconv = nn.Conv1d(8, 1, 9, padding=4)
        self.linear = nn.Linear(9, 1)

    def forward(self, x):  # (N, L, 4)
        h = F.relu(self.iconv(x.permute(0, 2, 1)))
        for conv in self.rconvs:
            h = h + F.relu(conv(h))
        k = (h.shape[2] - self.out_len) // 2
        y = self.fconv(h)[:, 0, k:k + self.out_len]
        logp = F.log_softmax(y, dim=-1)
        mean = torch.mean(h[:, :, k:k + self.out_len], dim=2)
        ctl = torch.ones(x.shape[0], 1) * 0.5
        counts = self.linear(torch.cat([mean, ctl], dim=1))
        return logp, counts


class MatMulHead(nn.Module):
    """Custom layers: conv, avg-pool, reshape by x.view(N, -1), MatMul + Add,
    Sub and Mul by constants, unsqueeze/transpose, softmax output."""

    def __init__(self, L=64, tasks=4):
        super().__init__()
        self.conv = nn.Conv1d(4, 8, 5)
        self.w = nn.Parameter(torch.randn(8 * ((L - 4) // 2), 16) * 0.1)
        self.b = nn.Parameter(torch.randn(16) * 0.1)
        self.fc = nn.Linear(16, tasks)

    def forward(self, x):  # (N, 4, L)
        h = F.avg_pool1d(torch.relu(self.conv(x)), 2)
        h = h.transpose(1, 2).reshape(x.shape[0], -1)
        h = torch.relu(h @ self.w + self.b)
        h = (h - 0.25) * 2.0
        h = h.unsqueeze(1).squeeze(1)
        return torch.softmax(self.fc(h), dim=1)


class Misc(nn.Module):
    """Explicit asymmetric padding (Pad), division by a constant, max over the
    length (ReduceMax), strided conv and global max pooling, and a stranded
    2-channel profile output with a softmax over positions."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(4, 6, 4)
        self.conv2 = nn.Conv1d(6, 6, 3, stride=2)
        self.pconv = nn.Conv1d(6, 2, 5, padding=2)
        self.fc = nn.Linear(12, 2)

    def forward(self, x):  # (N, 4, L)
        h = torch.relu(self.conv(F.pad(x, (1, 2)))) / 4.0
        a = torch.amax(h, dim=2)
        b = F.adaptive_max_pool1d(self.conv2(h), 1).flatten(1)
        return self.fc(torch.cat([a, b], dim=1)), torch.softmax(self.pconv(h), dim=-1)


class Grouped(nn.Module):
    """Grouped and depthwise convolutions (groups 2 and 8)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(4, 8, 5, groups=2)
        self.dw = nn.Conv1d(8, 8, 3, groups=8, padding=1)
        self.fc = nn.Linear(8, 2)

    def forward(self, x):  # (N, 4, L)
        return self.fc(torch.relu(self.dw(torch.relu(self.conv(x)))).mean(dim=2))


class CropSqueeze(nn.Module):
    """BPNet's profile head in miniature: with a dynamic batch, torch exports the
    crop as shape arithmetic and squeeze(1) as an If on the shape."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(4, 1, 5)

    def forward(self, x):  # (N, 4, L)
        p = self.conv(x)
        k = (p.shape[2] - 20) // 2
        return p[:, :, k:k + 20].squeeze(1)


class BPNetLiteCtl(nn.Module):
    """bpnet-lite's BPNet forward with control tracks (a second input,
    (N, 2, L)): concatenated before the profile conv, and log(1 + summed
    control) as a feature of the counts head. dmotif feeds extra inputs zeros."""

    def __init__(self, n_filters=8, n_layers=3, trimming=20):
        super().__init__()
        self.trimming = trimming
        self.iconv = nn.Conv1d(4, n_filters, 21, padding=10)
        self.rconvs = nn.ModuleList(nn.Conv1d(n_filters, n_filters, 3, padding=2 ** i, dilation=2 ** i)
                                    for i in range(1, n_layers + 1))
        self.fconv = nn.Conv1d(n_filters + 2, 2, 75, padding=37)
        self.linear = nn.Linear(n_filters + 1, 1)

    def forward(self, x, x_ctl):  # (N, 4, L), (N, 2, L)
        start, end = self.trimming, x.shape[2] - self.trimming
        x = torch.relu(self.iconv(x))
        for conv in self.rconvs:
            x = torch.add(x, torch.relu(conv(x)))
        y_profile = self.fconv(torch.cat([x, x_ctl], dim=1))[:, :, start:end]
        x = torch.mean(x[:, :, start - 37:end + 37], dim=2)
        ctl = torch.sum(x_ctl[:, :, start - 37:end + 37], dim=(1, 2)).unsqueeze(-1)
        x = torch.cat([x, torch.log(ctl + 1)], dim=-1)
        return y_profile, self.linear(x).reshape(x.shape[0], 1)


ZOO = {  # name -> (module factory, input shape without N, opset)
    "basset": (lambda: Basset(), (4, 100), 13),
    "chrombpnet_lite": (lambda: ChromBPNetLite(), (120, 4), 17),
    "matmul_head": (lambda: MatMulHead(), (4, 64), 14),
    "misc": (lambda: Misc(), (4, 64), 14),
    "crop_squeeze": (lambda: CropSqueeze(), (4, 32), 14),
    "grouped": (lambda: Grouped(), (4, 40), 14),
    "bpnet_lite_ctl": (lambda: BPNetLiteCtl(), (4, 120), 14),
}
CONTROL = {"bpnet_lite_ctl": 2}  # models with a second input of that many channels (zeros)
DYNAMIC = ("chrombpnet_lite", "matmul_head", "crop_squeeze")  # also exported with a dynamic batch axis


def export(m, example, path, names_out, opset, dynamic=False):
    """dynamic: batch axis dynamic (dynamic_axes); torch 1.13 then keeps the
    shape arithmetic of the traced Python code (Shape, Gather, If, ...) in
    the graph. A fixed batch folds it away. example: a tensor, or a tuple
    (sequence, control)."""
    names_in = ["sequence", "control"][:len(example) if isinstance(example, tuple) else 1]
    axes = {**{n: {0: "batch"} for n in names_in}, **{n: {0: "batch"} for n in names_out}} if dynamic else None
    torch.onnx.export(m, example, path, input_names=names_in, output_names=names_out,
                      dynamic_axes=axes, opset_version=opset, do_constant_folding=True)


def write_zoo(out):
    rng = np.random.default_rng(7)
    with h5py.File(os.path.join(out, "zoo_ref.h5"), "w") as f:
        f.attrs["description"] = ("Outputs of the zoo_*.onnx models (PyTorch float32, eval mode) on x; "
                                  "x is one-hot channels last (S, L, 4) whatever the model's own layout; "
                                  "a second input (control tracks) is zeros")
        for name, (make, shape, opset) in ZOO.items():
            torch.manual_seed(11)
            m = make().eval()
            with torch.no_grad():  # non-trivial batchnorm statistics
                for mod in m.modules():
                    if isinstance(mod, nn.BatchNorm1d):
                        mod.running_mean.uniform_(-0.2, 0.2)
                        mod.running_var.uniform_(0.5, 1.5)
                        mod.weight.uniform_(0.5, 1.5)
                        mod.bias.uniform_(-0.2, 0.2)
            L = shape[1] if shape[0] == 4 else shape[0]
            x = np.eye(4, dtype=np.float32)[rng.integers(0, 4, size=(2, L))]  # (2, L, 4)
            xt = torch.from_numpy(x)
            xin = xt.permute(0, 2, 1).contiguous() if shape[0] == 4 else xt
            if name in CONTROL:
                xin = (xin, torch.zeros(2, CONTROL[name], L))
            with torch.no_grad():
                y = m(*xin) if isinstance(xin, tuple) else m(xin)
            ys = y if isinstance(y, tuple) else (y,)
            names = ["out%d" % i for i in range(len(ys))]
            export(m, xin, os.path.join(out, "zoo_%s.onnx" % name), names, opset)
            if name in DYNAMIC:
                export(m, xin, os.path.join(out, "dyn_%s.onnx" % name), names, opset, dynamic=True)
            f["%s/x" % name] = x
            for n, v in zip(names, ys):
                f["%s/%s" % (name, n)] = v.numpy()


class BadElu(nn.Module):
    """An op dmotif does not support (Elu): the loader must name the node and op."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(4, 2, 3)

    def forward(self, x):
        return F.elu(self.conv(x)).mean(dim=2)


class BadSoftmax(nn.Module):
    """A softmax inside the network (not an output activation): refused."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(4, 2, 3)

    def forward(self, x):
        return torch.softmax(self.conv(x), dim=1).mean(dim=2)


def write_bad(out):
    torch.manual_seed(3)
    for name, mod in (("elu", BadElu()), ("softmax", BadSoftmax())):
        export(mod.eval(), torch.zeros(1, 4, 10), os.path.join(out, "bad_%s.onnx" % name), ["out0"], 14)


def op_list(path):
    g = onnx.load(path).graph
    ops = sorted({n.op_type for n in g.node})
    return "%s (opset %d): %s" % (os.path.basename(path), onnx.load(path).opset_import[0].version, " ".join(ops))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "tests", "data", "models")
    os.makedirs(out, exist_ok=True)
    m = make_bpnet()
    example = torch.from_numpy(example_onehot(SEQ_ROWS)).permute(0, 2, 1).contiguous()
    export(m, example, os.path.join(out, "bpnet.onnx"), ["profile", "counts"], 14)
    write_keras(m, out)
    write_reference(m, out)
    write_zoo(out)
    write_bad(out)
    dyn = []  # op lists with a dynamic batch axis (files not kept)
    for name, mod, shape, opset in [("bpnet", m, (4, L_IN), 14)] + [(n, z[0](), z[1], z[2]) for n, z in ZOO.items()]:
        if name.startswith("crop") or name == "grouped" or name in CONTROL:
            continue
        tmp = os.path.join(out, "tmp_dynamic.onnx")
        y = mod.eval()(torch.zeros(1, *shape))
        export(mod, torch.zeros(1, *shape), tmp, ["out%d" % i for i in range(len(y) if isinstance(y, tuple) else 1)],
               opset, dynamic=True)
        dyn.append(op_list(tmp).replace("tmp_dynamic.onnx", name))
        os.remove(tmp)
    files = sorted(f for f in os.listdir(out) if f != "PROVENANCE.txt")
    with open(os.path.join(out, "PROVENANCE.txt"), "w") as f:
        f.write("Generated by tools/gen_model_fixtures.py (see its docstring for the network and layouts)\n")
        f.write("with torch %s, onnx %s, h5py %s, numpy %s (Debian 12 python3-* packages).\n\n"
                % (torch.__version__, onnx.__version__, h5py.__version__, np.__version__))
        f.write("Ops emitted by torch.onnx.export:\n")
        for fn in files:
            if fn.endswith(".onnx"):
                f.write("  " + op_list(os.path.join(out, fn)) + "\n")
        f.write("\nOps with a dynamic batch axis (dynamic_axes; the dyn_*.onnx files are some of these):\n")
        for d in dyn:
            f.write("  " + d + "\n")
        f.write("\nsha256:\n")
        for fn in files:
            with open(os.path.join(out, fn), "rb") as g:
                f.write("%s  %s\n" % (hashlib.sha256(g.read()).hexdigest(), fn))


if __name__ == "__main__":
    main()
