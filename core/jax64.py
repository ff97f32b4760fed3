"""JAX, imported once with 64-bit floats enabled before any array exists (hence the name).

JAX defaults to float32. The lab's float32-versus-float64 comparison is only
honest if both are a choice, so we switch 64-bit on here and pass dtypes
explicitly everywhere. Every module that needs JAX imports it through this one,
which keeps ``import core`` itself light (SymPy and NumPy only): worker
processes that only do symbolic work never pay JAX's 200 MB.
"""

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402

__all__ = ["jax", "jnp", "backend", "device_name"]


def backend() -> str:
    """'cpu', 'gpu' or 'tpu': where JAX runs its computations."""
    return jax.default_backend()


def device_name() -> str:
    """A short description of the first device JAX uses, e.g. 'cpu' or 'NVIDIA H100'."""
    d = jax.devices()[0]
    return getattr(d, "device_kind", None) or d.platform
