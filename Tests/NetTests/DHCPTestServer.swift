import Net

/// A DHCP server with one address to give: offers it, acknowledges requests for it (or
/// refuses them).
struct DHCPTestServer {
  var address = IPv4Address(192, 0, 2, 1)
  let pool = IPv4Address(192, 0, 2, 10)
  var leaseTime: UInt32 = 3600
  var renewalTime: UInt32?
  var refuses = false

  func answer(_ message: DHCPMessage) -> DHCPMessage? {
    var reply = DHCPMessage(
      operation: .reply, transactionID: message.transactionID,
      clientHardwareAddress: message.clientHardwareAddress)
    reply.isBroadcast = message.isBroadcast
    reply.options.serverIdentifier = address
    switch message.options.messageType {
    case .discover:
      reply.options.messageType = .offer
    case .request:
      if refuses {
        reply.options.messageType = .negativeAcknowledge
        return reply
      }
      reply.options.messageType = .acknowledge
    default:
      return nil
    }
    reply.yourAddress = pool
    reply.options.subnetPrefixLength = 24
    reply.options.routers = [IPv4Address(192, 0, 2, 1)]
    reply.options.domainNameServers = [IPv4Address(192, 0, 2, 1), IPv4Address(198, 51, 100, 53)]
    reply.options.leaseTime = leaseTime
    reply.options.renewalTime = renewalTime
    return reply
  }
}
