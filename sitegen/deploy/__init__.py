"""Publish a built site to static hosting, sending only what changed, in a reader-safe order.

`parse_targets` reads `deploy:` from site.yaml, `plan_deploy` diffs the build against a target,
`run_deploy` applies the plan (directory, git, rsync or S3) and `rollback` undoes a directory
deploy. See run.py for the flow and plan.py for the shared diff and upload order.
"""

from sitegen.deploy.config import (
    DeployConfig,
    DirectoryTarget,
    GitTarget,
    RsyncTarget,
    S3Target,
    TargetConfig,
    parse_targets,
)
from sitegen.deploy.errors import DeployAborted, DeployConfigError, DeployError
from sitegen.deploy.plan import DeployPlan, Group, Upload, deploy_order, upload_group
from sitegen.deploy.run import DeployReport, plan_deploy, rollback, run_deploy

__all__ = [
    "DeployAborted",
    "DeployConfig",
    "DeployConfigError",
    "DeployError",
    "DeployPlan",
    "DeployReport",
    "DirectoryTarget",
    "GitTarget",
    "Group",
    "RsyncTarget",
    "S3Target",
    "TargetConfig",
    "Upload",
    "deploy_order",
    "parse_targets",
    "plan_deploy",
    "rollback",
    "run_deploy",
    "upload_group",
]
