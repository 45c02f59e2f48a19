# Liu Er, lecture 3: batch gradient descent and stochastic gradient descent, by hand, with tensors.
import torch

x_data = torch.tensor([1.0, 2.0, 3.0])
y_data = torch.tensor([2.0, 4.0, 6.0])
w = torch.tensor(1.0)


def forward(x):
    return x * w


def cost(xs, ys):
    return ((forward(xs) - ys) ** 2).mean()


def gradient(xs, ys):
    return (2 * xs * (xs * w - ys)).mean()


print('Predict (before training)', 4, forward(4).item())
for epoch in range(100):
    cost_val = cost(x_data, y_data)
    grad_val = gradient(x_data, y_data)
    w -= 0.01 * grad_val
    print('Epoch:', epoch, 'w=', w.item(), 'loss=', cost_val.item())
print('Predict (after training)', 4, forward(4).item())

w = torch.tensor(1.0)
for epoch in range(30):
    for x, y in zip(x_data, y_data):
        grad = 2 * x * (x * w - y)
        w = w - 0.01 * grad
        print("\tgrad: ", x.item(), y.item(), round(grad.item(), 5))
        l = (x * w - y) ** 2
    print("progress:", epoch, "w=", w.item(), "loss=", l.item())
print(w, l, grad)
