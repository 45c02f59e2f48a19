"""placeholder"""
def compare_with_torch(*a, **k):
    raise NotImplementedError
