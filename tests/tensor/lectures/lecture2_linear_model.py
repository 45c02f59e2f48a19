# Liu Er, lecture 2: the linear model y = x * w, MSE over a grid of w (numpy only, plus a torch check).
import numpy as np
import torch

x_data = [1.0, 2.0, 3.0]
y_data = [2.0, 4.0, 6.0]


def forward(x):
    return x * w


def loss(x, y):
    y_pred = forward(x)
    return (y_pred - y) * (y_pred - y)


w_list = []
mse_list = []
for w in np.arange(0.0, 4.1, 0.1):
    print("w=", w)
    l_sum = 0
    for x_val, y_val in zip(x_data, y_data):
        y_pred_val = forward(x_val)
        loss_val = loss(x_val, y_val)
        l_sum += loss_val
        print("\t", x_val, y_val, y_pred_val, loss_val)
    print("MSE=", l_sum / 3)
    w_list.append(w)
    mse_list.append(l_sum / 3)

w = torch.tensor(2.0)
print(forward(torch.tensor(x_data)), loss(torch.tensor(x_data), torch.tensor(y_data)))
print(torch.tensor(mse_list).argmin(), torch.tensor(mse_list).min())
