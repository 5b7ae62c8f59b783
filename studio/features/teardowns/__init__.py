"""Brand teardowns (拆解): the model, the comparison table, the 行业适配 quadrant, fact boxes
and the ```teardown block."""
