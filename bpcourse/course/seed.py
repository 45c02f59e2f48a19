"""The seed lecture's program, as text, so notebooks can show it and run it on both engines.

The same text is in ``tests/data/lecture4_backprop.py`` (a test keeps the two equal); it is kept
here too because the notebooks must work from an installed package, without the tests folder.
"""

SEED_PROGRAM = r'''# The seed lecture's program (back-propagation with torch.autograd on the
# linear model y = w * x), as printed in the seed document, indentation
# restored. The course must run it unchanged, and also with
# `import bpcourse as torch` in place of `import torch`.
import torch
x_data = [1.0, 2.0, 3.0]
y_data = [2.0, 4.0 ,6.0]
w = torch.Tensor([1.0])
w.requires_grad = True

def forward(x):
    return x * w

def loss(x,y):
    y_pred = forward(x)
    return (y_pred - y)**2

print("predict (before training)", 4, forward(4).item())
for epoch in range(100):
    for x,y in zip(x_data, y_data):
        l = loss(x,y)
        l.backward()
        print("\t grad:", x, y, w.grad.item())
        w.data = w.data - 0.01 * w.grad.item()
        w.grad.data.zero_()
    print("progress:", epoch, l.item())
print("predict (after training)", 4, forward(4).item())
'''
