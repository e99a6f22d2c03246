from django.apps import AppConfig


class SampledataConfig(AppConfig):
    """The demo store (`seed_demo`) and the benchmark's generated chains (`generate_data`).

    It sits above every other app and may import any of them; nothing imports it.
    """

    name = "sampledata"
    verbose_name = "Demo and generated data"
