"""Errors that teach: they name the op, the operand and what to do instead."""
from __future__ import annotations

import pytest

from bpcourse.scalar import Value


@pytest.mark.parametrize("x", [0.0, -1.5])
def test_log_of_non_positive_names_the_value(x):
    with pytest.raises(ValueError, match=rf"log: input must be positive, got Value\(data={x}"):
        Value(x).log()


def test_pow_with_value_exponent_says_what_to_do():
    with pytest.raises(TypeError, match=r"\*\*: the exponent must be a number, not a Value") as info:
        Value(2.0) ** Value(3.0)
    assert "(n * x.log()).exp()" in str(info.value)


def test_number_to_the_power_of_a_value_says_what_to_do():
    with pytest.raises(TypeError, match=r"\*\*: the exponent must be a number, not a Value") as info:
        2.0 ** Value(3.0)
    assert "math.log(base)" in str(info.value)


def test_pow_of_negative_base_with_fractional_exponent():
    with pytest.raises(ValueError, match=r"\*\*: Value\(data=-4.0.*\) \*\* 0.5 is not a real number"):
        Value(-4.0) ** 0.5


def test_pow_with_non_number_exponent():
    with pytest.raises(TypeError, match=r"\*\*: the exponent must be an int or float, got '2' \(str\)"):
        Value(2.0) ** "2"


def test_pow_whose_derivative_is_infinite_at_zero():
    with pytest.raises(ValueError, match=r"\*\*: .* the derivative n \* x\*\*\(n-1\) is infinite at x = 0"):
        Value(0.0) ** 0.5


def test_division_by_zero_names_both_operands():
    with pytest.raises(ZeroDivisionError, match=r"/: division by zero: Value\(data=1.0.*\) / Value\(data=0.0"):
        Value(1.0) / 0


def test_non_number_data():
    with pytest.raises(TypeError, match=r"Value: data must be a real number, got 'abc' \(str\)"):
        Value("abc")
    with pytest.raises(TypeError, match=r"Value: data must be a real number, got '3.5' \(str\)"):
        Value("3.5")  # text is not a number, even if float() could parse it
    with pytest.raises(TypeError, match=r"Value: data must be a real number, got \[1.0\] \(list\)"):
        Value(2.0) + [1.0]


def test_typo_in_attribute_name_raises():
    v = Value(1.0)
    with pytest.raises(AttributeError):
        v.gard = 1.0  # __slots__: a typo cannot silently create a new attribute


def test_model_called_with_the_wrong_number_of_inputs():
    from bpcourse.scalar.nn import MLP

    with pytest.raises(ValueError, match=r"Neuron: expected 2 inputs, got 3"):
        MLP(2, [4, 1], seed=0)([1.0, 2.0, 3.0])
