print("appliance: not yet")
