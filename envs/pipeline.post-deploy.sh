#!/usr/bin/env bash
# Completes envs/pipeline.yaml inside the activated environment. These declare numpy<2 and imageio-ffmpeg<0.4,
# which break their own code on Python 3.11 (docs/dependencies.md); their real needs are in the yaml.
set -euo pipefail
python -m pip install --no-deps gym3==0.3.3 gym==0.26.2 procgen-mirror==0.10.7
