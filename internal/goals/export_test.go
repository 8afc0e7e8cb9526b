package goals

// AgentValues exposes agentValues to the tests of package goals_test.
var AgentValues = (*Service).agentValues
