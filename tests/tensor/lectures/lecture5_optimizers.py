# Liu Er, lecture 5 homework: the same linear regression with different optimisers.
import torch

x_data = torch.tensor([[1.0], [2.0], [3.0]])
y_data = torch.tensor([[2.0], [4.0], [6.0]])

settings = [
    ("SGD", dict(lr=0.01)), ("SGD", dict(lr=0.01, momentum=0.9)),
    ("SGD", dict(lr=0.01, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("Adam", dict(lr=0.05)), ("Adam", dict(lr=0.1, weight_decay=0.001)),
    ("Adagrad", dict(lr=0.5)), ("Adagrad", dict(lr=0.5, lr_decay=0.01)),
    ("RMSprop", dict(lr=0.01)), ("RMSprop", dict(lr=0.01, momentum=0.5)),
    ("RMSprop", dict(lr=0.01, centered=True)),
    ("Adamax", dict(lr=0.1)), ("Rprop", dict(lr=0.01)),
]
for opt_name, kwargs in settings:
    model = torch.nn.Linear(1, 1)
    model.weight.data = torch.tensor([[0.5]])
    model.bias.data = torch.tensor([-0.2])
    criterion = torch.nn.MSELoss(reduction='sum')
    optimizer = getattr(torch.optim, opt_name)(model.parameters(), **kwargs)
    losses = []
    for epoch in range(100):
        y_pred = model(x_data)
        loss = criterion(y_pred, y_data)
        losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(opt_name, kwargs)
    print("  losses", [round(v, 4) for v in losses[::20]], losses[-1])
    print("  w =", model.weight.item(), "b =", model.bias.item())
