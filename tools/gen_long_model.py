#!/usr/bin/python3
"""Generate tests/data/long_model/ (needs Debian's python3-numpy and python3-h5py;
CI uses the committed files and does not run this).

    /usr/bin/python3 tools/gen_long_model.py [outdir]   (default tests/data/long_model)

chrombpnet_like.h5   A small ChromBPNet-like Keras 2 *functional* model with
                     fixed random weights (seed 10), as a full-model HDF5
                     (model.save() layout: root attribute model_config, weights
                     under model_weights/<layer>/<layer>/kernel:0 ...):
    sequence (1000, 4)
    h = Conv1D(8, 21, relu)(sequence)                                  (980, 8)
    for d in 2, 4, 8:  h = Add()([Cropping1D(d)(h), Conv1D(8, 3, dilation d, relu)(h)])
                                                                        (952, 8)
    logits_profile_predictions = Flatten()(Cropping1D(214)(Conv1D(1, 25)(h)))   (500,)
    logcount_predictions = Dense(1)(GlobalAveragePooling1D()(h))                (1,)
reference.h5         x (3, 1000, 4) one-hot inputs and the two outputs computed
                     here with numpy in float64 (profile (3, 500), counts (3, 1)),
                     an implementation independent of dmotif's.
"""
import json
import os
import sys

import h5py
import numpy as np

L, F, DIL = 1000, 8, (2, 4, 8)
rng = np.random.default_rng(10)
layers, weights = [], {}


def layer(cls, name, inbound, **cfg):
    cfg["name"] = name
    layers.append({"class_name": cls, "name": name, "config": cfg,
                   "inbound_nodes": [[[i, 0, 0, {}] for i in inbound]] if inbound else []})
    return name


def conv(name, inp, cin, filters, k, dil=1, act="linear"):
    weights[name] = (rng.normal(0, 0.3, (k, cin, filters)).astype(np.float32),
                     rng.normal(0, 0.1, filters).astype(np.float32))
    return layer("Conv1D", name, [inp], filters=filters, kernel_size=[k], strides=[1], padding="valid",
                 dilation_rate=[dil], activation=act, use_bias=True, data_format="channels_last")


layer("InputLayer", "sequence", None, batch_input_shape=[None, L, 4], dtype="float32")
h = conv("bpnet_1st_conv", "sequence", 4, F, 21, act="relu")
for i, d in enumerate(DIL):
    c = conv("bpnet_%dconv" % (i + 1), h, F, F, 3, d, "relu")
    cr = layer("Cropping1D", "bpnet_%dcrop" % (i + 1), [h], cropping=[d, d])
    h = layer("Add", "bpnet_%dadd" % (i + 1), [cr, c])
p = conv("prof_out_precrop", h, F, 1, 25)
p = layer("Cropping1D", "prof_out_crop", [p], cropping=[214, 214])
layer("Flatten", "logits_profile_predictions", [p], data_format="channels_last")
g = layer("GlobalAveragePooling1D", "gap", [h], data_format="channels_last")
weights["logcount_predictions"] = (rng.normal(0, 0.3, (F, 1)).astype(np.float32),
                                   rng.normal(0, 0.1, 1).astype(np.float32))
layer("Dense", "logcount_predictions", [g], units=1, activation="linear", use_bias=True)
config = {"class_name": "Functional", "config": {
    "name": "chrombpnet_like", "layers": layers, "input_layers": [["sequence", 0, 0]],
    "output_layers": [["logits_profile_predictions", 0, 0], ["logcount_predictions", 0, 0]]},
    "keras_version": "2.8.0", "backend": "tensorflow"}


def forward(x):
    """numpy float64 forward of one (L, 4) row: (profile (500,), counts (1,))."""
    def c1d(v, name, dil=1, relu=False):
        k, b = (w.astype(np.float64) for w in weights[name])
        n = v.shape[0] - (k.shape[0] - 1) * dil
        out = b + sum(v[j * dil:j * dil + n] @ k[j] for j in range(k.shape[0]))
        return np.maximum(out, 0) if relu else out
    v = c1d(x, "bpnet_1st_conv", relu=True)
    for i, d in enumerate(DIL):
        v = v[d:-d] + c1d(v, "bpnet_%dconv" % (i + 1), d, True)
    prof = c1d(v, "prof_out_precrop")[214:-214, 0]
    k, b = (w.astype(np.float64) for w in weights["logcount_predictions"])
    return prof, v.mean(axis=0) @ k + b


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/data/long_model"
    os.makedirs(out, exist_ok=True)
    with h5py.File(os.path.join(out, "chrombpnet_like.h5"), "w") as f:
        f.attrs["model_config"] = json.dumps(config)
        f.attrs["keras_version"] = "2.8.0"
        mw = f.create_group("model_weights")
        mw.attrs["layer_names"] = np.array([l["name"].encode() for l in layers])
        for l in layers:
            g = mw.create_group(l["name"])
            names = [("%s/%s" % (l["name"], s)).encode() for s in ("kernel:0", "bias:0")] \
                if l["name"] in weights else []
            g.attrs["weight_names"] = np.array(names, dtype="S64")
            for n, w in zip(names, weights.get(l["name"], ())):
                g.create_dataset(n.decode(), data=w)
    x = np.zeros((3, L, 4), np.float32)
    x[np.arange(3)[:, None], np.arange(L)[None, :], rng.integers(0, 4, (3, L))] = 1
    res = [forward(x[i].astype(np.float64)) for i in range(3)]
    with h5py.File(os.path.join(out, "reference.h5"), "w") as f:
        f["x"] = x
        f["profile"] = np.array([r[0] for r in res], np.float32)
        f["counts"] = np.array([r[1] for r in res], np.float32)


if __name__ == "__main__":
    main()
