"""Lists every sub-package under the mapped folders (setuptools does not discover them by itself)."""

from setuptools import find_packages, setup

FOLDERS = {"cauarena": "cauarena", "envs": "cauarena.envs", "agents": "cauarena.agents",
           "guards": "cauarena.guards", "learners": "cauarena.learners", "leaderboards": "cauarena.leaderboards"}

packages, package_dir = [], {}
for folder, name in FOLDERS.items():
    packages.append(name)
    package_dir[name] = folder
    for sub in find_packages(where=folder):
        packages.append(f"{name}.{sub}")
        package_dir[f"{name}.{sub}"] = f"{folder}/{sub.replace('.', '/')}"

setup(packages=packages, package_dir=package_dir)
