#!/usr/bin/python3
"""PyTorch CPU counterpart of bench_graph's "gradient of counts": the same
ChromBPNet-size network (2114 bp, 64 filters, kernel 21, 8 dilated residual
layers with cropping, profile head kernel 75, counts head = dense(global
average pool)), random weights, one thread; times forward + backward of the
counts head w.r.t. the input (weights frozen: input gradients only, the work
dmotif does) over batches of B one-hot sequences.

    /usr/bin/python3 bench/torch_grad.py [batch=8] [repeats=3]
Needs Debian's python3-torch (bench only; not used by the tests).
Last line: "torch_grad_seqs_per_s <value>".
"""
import sys
import time

import torch

torch.set_num_threads(1)
torch.manual_seed(0)
B = int(sys.argv[1]) if len(sys.argv) > 1 else 8
REP = int(sys.argv[2]) if len(sys.argv) > 2 else 3
L, F = 2114, 64


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv1d(4, F, 21)
        self.dil = torch.nn.ModuleList(torch.nn.Conv1d(F, F, 3, dilation=2 ** i) for i in range(1, 9))
        self.prof = torch.nn.Conv1d(F, 1, 75)
        self.counts = torch.nn.Linear(F, 1)

    def forward(self, x):  # x (N, 4, L), channels first
        h = torch.relu(self.conv1(x))
        for i, c in enumerate(self.dil, 1):
            d = 2 ** i
            h = h[:, :, d:-d] + torch.relu(c(h))
        profile = self.prof(h).flatten(1)
        return profile, self.counts(h.mean(dim=2))


net = Net().eval()
for p in net.parameters():
    p.requires_grad_(False)
x = torch.zeros(B, 4, L)
x[torch.arange(B)[:, None], torch.randint(0, 4, (B, L)), torch.arange(L)[None, :]] = 1


def step():
    xi = x.clone().requires_grad_(True)
    _, counts = net(xi)
    counts.sum().backward()
    return xi.grad


step()  # warm-up
t0 = time.perf_counter()
for _ in range(REP):
    step()
t = time.perf_counter() - t0
print("torch %s, 1 thread: gradient of counts, batch %d: %.2f seq/s" % (torch.__version__, B, B * REP / t))
print("torch_grad_seqs_per_s %.3f" % (B * REP / t))
