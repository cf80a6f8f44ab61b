"""Which packages the distribution holds (the rest of the metadata is in pyproject.toml): kg and
its subpackages, and the data files shipped inside it - data/ as ``kg._data`` and queries/ as
``kg._queries`` - so that an installed kg finds its lexicons, gazetteer, ontology, shapes and
query library (kg.paths) while the checkout keeps them at its top."""

from setuptools import find_namespace_packages, setup

DATA = {"kg._data": "data", "kg._queries": "queries"}

setup(
    packages=[*find_namespace_packages(include=["kg", "kg.*"], exclude=["*.__pycache__"]),
              *(f"{pkg}.{sub}" if sub else pkg for pkg, folder in DATA.items()
                for sub in ["", *find_namespace_packages(where=folder)])],
    package_dir=DATA,
    package_data={"kg.viz_assets": ["*"], **{pkg: ["**/*"] for pkg in DATA}},
)
