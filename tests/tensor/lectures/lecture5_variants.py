# Liu Er, lecture 5 again, the way learners vary it: reduction='sum', printing the model and
# its parameters, state_dict, named_parameters, other optimisers, and a test prediction.
import torch

x_data = torch.tensor([[1.0], [2.0], [3.0]])
y_data = torch.tensor([[2.0], [4.0], [6.0]])


class LinearModel(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(1, 1)

    def forward(self, x):
        return self.linear(x)


for opt_name in ["SGD", "Adam", "Adagrad"]:
    model = LinearModel()
    with torch.no_grad():
        model.linear.weight.fill_(0.5)
        model.linear.bias.zero_()
    criterion = torch.nn.MSELoss(reduction='sum')
    if opt_name == "SGD":
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    elif opt_name == "Adam":
        optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    else:
        optimizer = getattr(torch.optim, opt_name)(model.parameters(), lr=0.01)
    for epoch in range(50):
        loss = criterion(model(x_data), y_data)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(opt_name, loss.item(), model.linear.weight.item(), model.linear.bias.item())

print(model)
print(model.linear)
print(model.linear.weight)
print(model.linear.bias)
for name, param in model.named_parameters():
    print(name, param.shape, param.requires_grad)
sd = model.state_dict()
print(list(sd.keys()))
print(sd['linear.weight'].shape)
model2 = LinearModel()
model2.load_state_dict(sd)
print(torch.equal(model2.linear.weight, model.linear.weight))
print(len(list(model.parameters())), sum(p.numel() for p in model.parameters()))
x_test = torch.tensor([[4.0]])
y_test = model(x_test)
print('y_pred = ', y_test.data, y_test.item())
print(criterion)
print(optimizer.param_groups[0]['lr'])
