"""``bpcourse.utils.data``: Dataset, TensorDataset, DataLoader (torch.utils.data's names)."""
from bpcourse.utils import data

__all__ = ["data"]
