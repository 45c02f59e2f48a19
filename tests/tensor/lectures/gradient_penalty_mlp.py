# A WGAN-GP style gradient penalty on a small MLP "critic": the gradient of the critic's
# output with respect to its input, kept in the graph (create_graph=True) so that the
# penalty ((||grad||_2 - 1)^2) can be minimised by the optimiser. Homework style.
import torch
import torch.nn as nn

torch.manual_seed(0)

critic = nn.Sequential(
    nn.Linear(2, 8),
    nn.Tanh(),
    nn.Linear(8, 1),
)
print(critic)

real = torch.tensor([[1.0, 1.0], [0.5, 2.0], [1.5, 0.0], [2.0, 1.0]])
fake = torch.tensor([[-1.0, 0.0], [0.0, -0.5], [-0.5, 1.0], [0.2, -1.0]])
alpha = torch.tensor([[0.3], [0.7], [0.1], [0.5]])


def gradient_penalty(model, real, fake, alpha):
    interp = alpha * real + (1 - alpha) * fake
    interp.requires_grad_(True)
    out = model(interp)
    grads = torch.autograd.grad(
        outputs=out,
        inputs=interp,
        grad_outputs=torch.ones_like(out),
        create_graph=True,
        retain_graph=True,
    )[0]
    print("  grads shape:", grads.shape, "requires_grad:", grads.requires_grad)
    norms = grads.norm(2, dim=1)
    return ((norms - 1) ** 2).mean(), norms


optimizer = torch.optim.Adam(critic.parameters(), lr=0.01, betas=(0.5, 0.9))
for step in range(5):
    optimizer.zero_grad()
    w_distance = critic(real).mean() - critic(fake).mean()
    gp, norms = gradient_penalty(critic, real, fake, alpha)
    loss = -w_distance + 10.0 * gp
    loss.backward()
    optimizer.step()
    print(f"step {step}: loss {loss.item():.6f}  W {w_distance.item():.6f}  gp {gp.item():.6f}")
    print("  norms", norms.detach())

print("last layer grad:", critic[2].weight.grad)
print("first layer bias grad:", critic[0].bias.grad)

# input-gradient regularisation for a classifier (double backprop), with backward(create_graph=True)
x = torch.tensor([[0.2, -0.4], [1.0, 0.3]], requires_grad=True)
target = torch.tensor([1.0, 0.0]).unsqueeze(1)
logits = critic(x)
bce = nn.BCEWithLogitsLoss()(logits, target)
gx, = torch.autograd.grad(bce, x, create_graph=True)
total = bce + 0.1 * gx.pow(2).sum()
critic.zero_grad()
total.backward()
print("bce", bce.item(), "total", total.item())
print("x.grad", x.grad)
print("critic[0].weight.grad", critic[0].weight.grad)
