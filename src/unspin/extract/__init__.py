"""Extraction stages as spaCy components (registered on import; no model is loaded here)."""
from . import entities, quantities_component, quotes, sentences, statements  # noqa: F401  (registers the components)
from .layers import get_layer, get_layers, set_layer

__all__ = ["get_layer", "get_layers", "set_layer"]
