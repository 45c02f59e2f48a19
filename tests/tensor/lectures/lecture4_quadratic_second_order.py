# Liu Er, lecture 4 homework: y_hat = w1 x^2 + w2 x + b trained by hand with .data / .grad.data,
# then the same loss looked at to second order: its gradient and Hessian w.r.t. (w1, w2, b)
# from autograd.grad(create_graph=True), and a Newton step that lands on the minimum at once.
import torch

x_data = [1.0, 2.0, 3.0]
y_data = [2.0, 4.0, 6.0]

w1 = torch.Tensor([1.0])
w1.requires_grad = True
w2 = torch.Tensor([1.0])
w2.requires_grad = True
b = torch.Tensor([1.0])
b.requires_grad = True


def forward(x):
    return w1 * x ** 2 + w2 * x + b


def loss(x, y):
    y_pred = forward(x)
    return (y_pred - y) ** 2


print("predict (before training)", 4, forward(4).item())
for epoch in range(30):
    for x, y in zip(x_data, y_data):
        l = loss(x, y)
        l.backward()
        w1.data = w1.data - 0.01 * w1.grad.data
        w2.data = w2.data - 0.01 * w2.grad.data
        b.data = b.data - 0.01 * b.grad.data
        w1.grad.data.zero_()
        w2.grad.data.zero_()
        b.grad.data.zero_()
    if epoch % 5 == 0:
        print("progress:", epoch, l.item())
print("predict (after training)", 4, forward(4).item())
print("w1 =", w1.item(), "w2 =", w2.item(), "b =", b.item())

# the whole-batch loss as a function of theta = (w1, w2, b), in float64
X = torch.tensor(x_data, dtype=torch.float64)
Y = torch.tensor(y_data, dtype=torch.float64)
theta = torch.tensor([1.0, 1.0, 1.0], dtype=torch.float64, requires_grad=True)


def batch_loss(theta):
    return ((theta[0] * X ** 2 + theta[1] * X + theta[2] - Y) ** 2).mean()


L = batch_loss(theta)
g, = torch.autograd.grad(L, theta, create_graph=True)
H = torch.stack([torch.autograd.grad(g[i], theta, retain_graph=True)[0] for i in range(3)])
print("loss", L.item())
print("gradient", g.detach())
print("Hessian\n", H)
print("symmetric:", torch.equal(H, H.t()))
print("same as functional.hessian:", torch.allclose(H, torch.autograd.functional.hessian(batch_loss, theta.detach())))

# the loss is quadratic in theta, so one Newton step (solve H d = g by Cramer's rule) is exact
def det3(M):
    return (M[0, 0] * (M[1, 1] * M[2, 2] - M[1, 2] * M[2, 1])
            - M[0, 1] * (M[1, 0] * M[2, 2] - M[1, 2] * M[2, 0])
            + M[0, 2] * (M[1, 0] * M[2, 1] - M[1, 1] * M[2, 0]))


Hd = H.detach()
gd = g.detach()
D = det3(Hd)
step = []
for k in range(3):
    Mk = Hd.clone()
    Mk[:, k] = gd
    step.append(det3(Mk) / D)
with torch.no_grad():
    theta -= torch.stack(step)
print("after one Newton step: theta =", [round(v, 6) for v in theta.tolist()], "loss", round(batch_loss(theta).item(), 12))
print("prediction at x = 4:", round((theta[0] * 16 + theta[1] * 4 + theta[2]).item(), 6))
