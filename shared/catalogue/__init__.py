"""The event catalogue: one module per publishing service, one `define` per event type.

Importing this package registers every module's event types in shared.events.CATALOGUE.
"""
import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
