"""The one Logger, Tracer and Metrics of the service: every module logs through these so keys and namespaces agree."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit, single_metric

logger = Logger()
tracer = Tracer()
metrics = Metrics()


def count(name: str, **dimensions: str) -> None:
    """Counts one occurrence of ``name``, with its own dimensions (a batch mixes reasons; shared dimensions can't)."""
    if not dimensions:
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)
        return
    with single_metric(name=name, unit=MetricUnit.Count, value=1, namespace=metrics.namespace) as metric:
        for key, value in dimensions.items():
            metric.add_dimension(name=key, value=value)


def measure_seconds(name: str, seconds: float, **dimensions: str) -> None:
    """Records one duration, so the dashboard can show its percentiles per dimension (e.g. reply latency by kind)."""
    with single_metric(name=name, unit=MetricUnit.Seconds, value=seconds, namespace=metrics.namespace) as metric:
        for key, value in dimensions.items():
            metric.add_dimension(name=key, value=value)
