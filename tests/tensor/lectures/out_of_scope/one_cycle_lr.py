# needs: OneCycleLR
import torch

w = torch.zeros(2, requires_grad=True)
opt = torch.optim.SGD([w], lr=0.1)
sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=10)
for _ in range(10):
    opt.step()
    sched.step()
print(sched.get_last_lr())
