#!/usr/bin/python3
"""A ChromBPNet-size network with random weights, exported to ONNX for the
benchmarks (Debian's python3-torch; not used by the tests):
2114 bp one-hot in, a conv of 64 filters (width 21), 8 dilated residual convs
(width 3, dilation 2..256, cropped residuals), a 1000-position profile head
(conv width 75) and a counts head (linear on the global average).

    /usr/bin/python3 bench/chrombpnet_onnx.py out.onnx
"""
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self, filters=64, layers=8):
        super().__init__()
        self.first = nn.Conv1d(4, filters, 21)
        self.dil = nn.ModuleList(nn.Conv1d(filters, filters, 3, dilation=2 ** (i + 1)) for i in range(layers))
        self.prof = nn.Conv1d(filters, 1, 75)
        self.counts = nn.Linear(filters, 1)

    def forward(self, x):  # (N, 4, 2114)
        h = F.relu(self.first(x))
        for conv in self.dil:
            y = F.relu(conv(h))
            k = (h.shape[2] - y.shape[2]) // 2
            h = h[:, :, k:k + y.shape[2]] + y
        return self.prof(h)[:, 0, :], self.counts(h.mean(dim=2))


torch.manual_seed(0)
net = Net().eval()
torch.onnx.export(net, torch.zeros(1, 4, 2114), sys.argv[1], input_names=["sequence"],
                  output_names=["profile", "counts"], opset_version=13, do_constant_folding=True)
