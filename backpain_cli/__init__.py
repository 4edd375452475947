"""backpain: a back and neck pain questionnaire that suggests a next step, with its reasons.

The core (questionnaire, validation, policy, explain, engine) is a pure library; the CLI is a face over it.
"""

__version__ = "0.1.0"
