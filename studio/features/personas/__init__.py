"""Persona guides (人设): the model, the 人设库 index, fact boxes and the ```persona block."""
